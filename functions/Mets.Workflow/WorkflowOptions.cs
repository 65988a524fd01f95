using System.ComponentModel.DataAnnotations;

namespace Mets.Workflow;

/// <summary>Settings of the METS workflow host, bound from <see cref="SectionName"/>.</summary>
public sealed class WorkflowOptions
{
    public const string SectionName = "Mets:Workflow";

    /// <summary>Folder for the embedded stores: <c>mets-cases.db</c> (case store), <c>mets-durable-journal.db</c> (engine), <c>outbox/</c> (emails) and <c>audit/timeline-anchors.log</c> (audit anchors).</summary>
    [Required(ErrorMessage = SectionName + ":DataFolder is required (the folder for the SQLite databases and the email outbox).")]
    public string DataFolder { get; set; } = string.Empty;

    /// <summary>Sender address of METS emails.</summary>
    [Required(ErrorMessage = SectionName + ":MailFrom is required.")]
    [EmailAddress(ErrorMessage = SectionName + ":MailFrom must be an email address.")]
    public string MailFrom { get; set; } = "mets-no-reply@localhost.localdomain";

    /// <summary>A step due within this window shows as "due soon" in the work queues.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = SectionName + ":DueSoonWindow must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan DueSoonWindow { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// The repair sweep (<see cref="Maintenance.EngagementRepairSweep"/>) restarts an open engagement whose instance is
    /// missing, failed or terminated at most this many times while the case stays at the same step; then it gives up
    /// with an error log and the <c>mets.workflow.repair.gave_up</c> metric.
    /// </summary>
    [Range(1, 100, ErrorMessage = SectionName + ":MaxRepairAttempts must be between {1} and {2}.")]
    public int MaxRepairAttempts { get; set; } = 3;

    /// <summary>Orchestration history of an engagement closed longer than this is purged (<see cref="Maintenance.EngagementHistoryPurge"/>); the case document stays.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = SectionName + ":HistoryRetention must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(90);

    public string CaseDatabasePath => Path.Combine(DataFolder, "mets-cases.db");

    /// <summary>The relational engine store's file (<c>SqliteOrchestrationStore</c>), for compositions that choose it.</summary>
    public string DurableDatabasePath => Path.Combine(DataFolder, "mets-durable.db");

    /// <summary>
    /// The embedded engine's journal (<c>JournaledOrchestrationStore</c>), which the local host uses; a file of its own,
    /// so a data folder kept from a build that used <see cref="DurableDatabasePath"/> starts without an error (open
    /// engagements are rescheduled from the case database at start-up).
    /// </summary>
    public string DurableJournalPath => Path.Combine(DataFolder, "mets-durable-journal.db");

    public string OutboxFolder => Path.Combine(DataFolder, "outbox");

    /// <summary>The local audit anchor file (docs/reliability.md, "Tamper-evident audit").</summary>
    public string AuditAnchorFilePath => Path.Combine(DataFolder, "audit", "timeline-anchors.log");
}
