using System.Globalization;
using System.Text;

namespace Mets.Local.Chaos;

/// <summary>The figures of a chaos run and every failed expectation (each names the engagement or file and what was expected).</summary>
public sealed class ChaosReport
{
    private readonly List<string> _failures = [];
    private readonly List<string> _notes = [];

    public required int Seed { get; init; }

    public required string RunFolder { get; init; }

    public int Engagements { get; set; }

    public IReadOnlyDictionary<ScriptKind, int> Scripts { get; set; } = new Dictionary<ScriptKind, int>();

    public int KillsRequested { get; set; }

    public IReadOnlyList<KillRecord> Kills { get; set; } = [];

    public TimeSpan Duration { get; set; }

    public long Requests { get; set; }

    public long Retries { get; set; }

    public long Held { get; set; }

    public long Commands { get; set; }

    public int ReferralsAccepted { get; set; }

    public int Emails { get; set; }

    public int StepRemindersDue { get; set; }

    public int StepRemindersSent { get; set; }

    public int EscalationsDue { get; set; }

    public int EscalationsSent { get; set; }

    public int ProviderRemindersDue { get; set; }

    public int ProviderRemindersSent { get; set; }

    public int IgnoredRepeats { get; set; }

    /// <summary>Outcomes the script did not plan because the host was down when a command raced a deadline.</summary>
    public int LostToDeadlines { get; set; }

    /// <summary>Engagements whose timeline verified against its hash chain and anchors.</summary>
    public int AuditsChecked { get; set; }

    /// <summary>Closed engagements whose last timeline entries were left without an anchor.</summary>
    public int UnanchoredClosedTimelines { get; set; }

    public int ClaimsFiles { get; set; }

    public int ClaimsProcessed { get; set; }

    public int Databases { get; set; }

    public int? FinalExitCode { get; set; }

    public IReadOnlyList<string> Failures => _failures;

    public IReadOnlyList<string> Notes => _notes;

    public bool Passed => _failures.Count == 0;

    public void Fail(string failure) => _failures.Add(failure);

    public void Note(string note) => _notes.Add(note);

    public string Summary()
    {
        var text = new StringBuilder();
        void Line(string line) => text.AppendLine(line);
        var scripts = string.Join(", ", Scripts.Select(s => $"{s.Key} {s.Value}"));
        var kills = Kills.Count == 0 ? "-" : string.Join(", ", Kills.Select(k => $"{k.Downtime.TotalSeconds:F1}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"chaos seed {Seed}: {Engagements} engagements ({scripts}), {Kills.Count} of {KillsRequested} kills, {Duration.TotalMinutes:F1} min"));
        Line(string.Create(CultureInfo.InvariantCulture, $"  requests {Requests} (commands {Commands}; sent again after no answer {Retries}; held until the host was back {Held}), referrals answered 202: {ReferralsAccepted}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"  emails {Emails}; step reminders due {StepRemindersDue}, sent {StepRemindersSent}; escalations due {EscalationsDue}, sent {EscalationsSent}; provider reminders due {ProviderRemindersDue}, sent {ProviderRemindersSent}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"  commands that lost a deadline while the host was down or the machine stalled {LostToDeadlines}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"  timelines verified against their hash chain and anchors {AuditsChecked} (with unanchored last entries {UnanchoredClosedTimelines})"));
        Line(string.Create(CultureInfo.InvariantCulture, $"  repeated events ignored by the workflow {IgnoredRepeats}; claims files {ClaimsProcessed} of {ClaimsFiles} processed once; databases checked {Databases}; final stop exit code {FinalExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}"));
        Line($"  downtime per kill (s): {kills}");
        Line($"  run folder: {RunFolder}");
        foreach (var note in _notes.Take(30))
        {
            Line($"  note: {note}");
        }

        if (_notes.Count > 30)
        {
            Line($"  ... and {_notes.Count - 30} more notes");
        }

        Line(Passed ? "  all checks passed" : $"  {_failures.Count} failed check(s):");
        foreach (var failure in _failures.Take(100))
        {
            Line($"    - {failure}");
        }

        if (_failures.Count > 100)
        {
            Line($"    ... and {_failures.Count - 100} more");
        }

        return text.ToString();
    }
}
