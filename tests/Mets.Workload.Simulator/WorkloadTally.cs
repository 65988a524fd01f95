namespace Mets.Workload.Simulator;

/// <summary>What is counted per week and clinician (the CSV's columns, in this order).</summary>
public enum Measure
{
    /// <summary>Engagements started and assigned to the clinician (timeline: EngagementStarted).</summary>
    EngagementsStarted,

    /// <summary>"Step due soon" reminder emails (the assessment and reviews go to the clinician, a closure review's to the supervisor).</summary>
    Reminders,

    /// <summary>"Step overdue" escalation emails to the supervisor.</summary>
    Escalations,

    /// <summary>Safety-risk escalation emails to the supervisor (positive safety screen at the assessment).</summary>
    SafetyEscalations,

    /// <summary>Reviews the clinician recorded (timeline: ReviewCompleted).</summary>
    Reviews,

    /// <summary>Collaboration request emails to treating providers.</summary>
    ProviderRequests,

    /// <summary>Reminder emails to treating providers who have not answered.</summary>
    ProviderReminders,

    /// <summary>Peer-to-peer escalation emails to the medical director (a provider stayed silent).</summary>
    PeerToPeerEscalations,

    /// <summary>Closure-review emails to the supervisor (maximum duration reached).</summary>
    ClosureReviews,

    /// <summary>Closure summary emails to the providers contacted.</summary>
    ClosureSummaries,

    /// <summary>Engagements closed (timeline: EngagementClosed).</summary>
    Closures,
}

/// <summary>Counts per simulated week (1-based) and clinician (index into the roster).</summary>
public sealed class WorkloadTally(int weeks, int clinicians)
{
    private static readonly int MeasureCount = Enum.GetValues<Measure>().Length;
    private readonly int[] _counts = new int[weeks * clinicians * MeasureCount];

    public int Weeks { get; } = weeks;

    public int Clinicians { get; } = clinicians;

    public void Add(int week, int clinician, Measure measure, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(week, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(week, Weeks);
        ArgumentOutOfRangeException.ThrowIfNegative(clinician);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(clinician, Clinicians);
        _counts[Index(week, clinician, measure)] += count;
    }

    public int Get(int week, int clinician, Measure measure) => _counts[Index(week, clinician, measure)];

    public int WeekTotal(int week, Measure measure) => Enumerable.Range(0, Clinicians).Sum(c => Get(week, c, measure));

    public int ClinicianTotal(int clinician, Measure measure) => Enumerable.Range(1, Weeks).Sum(w => Get(w, clinician, measure));

    public int Total(Measure measure) => Enumerable.Range(1, Weeks).Sum(w => WeekTotal(w, measure));

    /// <summary>Outreach emails: requests plus reminders to providers.</summary>
    public int Outreach(int week, int clinician) => Get(week, clinician, Measure.ProviderRequests) + Get(week, clinician, Measure.ProviderReminders);

    private int Index(int week, int clinician, Measure measure) => ((((week - 1) * Clinicians) + clinician) * MeasureCount) + (int)measure;
}
