namespace Mets.Workflow.Reports;

/// <summary>One part of a report (funnel, timeliness, care gaps, utilization, measurement-based care) with its figures.</summary>
public sealed record ReportSection(string Id, string Title, string Note, IReadOnlyList<ReportFigure> Figures);

/// <summary>
/// Claims run-out: a month counts only once <see cref="Months"/> whole months have passed after it;
/// <see cref="CompleteThrough"/> is the last month that counts on the report's as-of date, <see cref="IncompleteMonths"/>
/// the months (yyyy-MM) the report's pre/post windows reach that do not count yet.
/// </summary>
public sealed record RunOutStatus(int Months, string CompleteThrough, IReadOnlyList<string> IncompleteMonths);

/// <summary>
/// Whether the difference-in-differences against triggered-but-not-engaged members was computed: both groups need at
/// least <see cref="Threshold"/> members with both periods. The group sizes are figures (suppressed under the minimum
/// cell count like any other).
/// </summary>
public sealed record DifferenceInDifferencesStatus(bool Computed, int Threshold, ReportFigure EngagedMembers, ReportFigure ComparisonMembers, string Explanation);

/// <summary>
/// A published program figure shown beside the measured one: a reference target, never a measurement.
/// <see cref="Measured"/> is this report's comparable figure (null when there is none).
/// </summary>
public sealed record ReferenceTarget(string Key, string Label, decimal Target, FigureUnit Unit, string Basis, ReportFigure? Measured)
{
    public const string Kind = "reference target (the program's published figure), not a measurement of this report";

    /// <summary>Always <see cref="Kind"/>: the label every reader sees beside the target.</summary>
#pragma warning disable CA1822 // an instance property so that it is serialized with every target
    public string Labelled => Kind;
#pragma warning restore CA1822
}

/// <summary>
/// The outcome report for the engagements that started from <see cref="From"/> through <see cref="To"/>, followed up to
/// <see cref="AsOf"/> (docs/outcomes.md defines every figure). Counts, rates and amounts only: no member ids, names or
/// dates of birth, and every count from 1 to <see cref="MinimumCellCount"/> - 1 is suppressed.
/// </summary>
public sealed record OutcomeReport(
    DateOnly From,
    DateOnly To,
    DateTimeOffset AsOf,
    int MinimumCellCount,
    string Method,
    RunOutStatus RunOut,
    DifferenceInDifferencesStatus DifferenceInDifferences,
    IReadOnlyList<ReportSection> Sections,
    IReadOnlyList<ReferenceTarget> Targets)
{
    /// <summary>The figure with this key, in any section.</summary>
    public ReportFigure? Find(string key) => Sections.SelectMany(s => s.Figures).FirstOrDefault(f => string.Equals(f.Key, key, StringComparison.Ordinal));
}
