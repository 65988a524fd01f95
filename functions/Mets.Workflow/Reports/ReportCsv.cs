using System.Globalization;
using System.Text;

namespace Mets.Workflow.Reports;

/// <summary>
/// The outcome report as CSV (RFC 4180, UTF-8): one row per figure (<c>section,key,label,value,unit,suppressed</c>), then
/// the run-out, the difference-in-differences status and the reference targets, each labelled. Suppressed figures show
/// <c>suppressed</c> and no value.
/// </summary>
public static class ReportCsv
{
    public static string Write(OutcomeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        Row(csv, "section", "key", "label", "value", "unit", "suppressed");
        Row(csv, "report", "period.from", "First day of the period", report.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "date", "false");
        Row(csv, "report", "period.to", "Last day of the period", report.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "date", "false");
        Row(csv, "report", "asOf", "As of", report.AsOf.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "time", "false");
        Row(csv, "report", "minimumCellCount", "Counts below this are suppressed", Number(report.MinimumCellCount), "count", "false");
        Row(csv, "report", "method", "Method", report.Method, "text", "false");
        Row(csv, "report", "runOut.months", "Claims run-out (months)", Number(report.RunOut.Months), "months", "false");
        Row(csv, "report", "runOut.completeThrough", "Claims complete through", report.RunOut.CompleteThrough, "month", "false");
        Row(csv, "report", "runOut.incompleteMonths", "Months still in claims run-out", string.Join(' ', report.RunOut.IncompleteMonths), "months", "false");
        foreach (var section in report.Sections)
        {
            foreach (var figure in section.Figures)
            {
                Figure(csv, section.Id, figure);
            }
        }

        var did = report.DifferenceInDifferences;
        Row(csv, "differenceInDifferences", "did.computed", did.Explanation, did.Computed ? "true" : "false", "flag", "false");
        Row(csv, "differenceInDifferences", "did.threshold", "Members each group needs", Number(did.Threshold), "count", "false");
        Figure(csv, "differenceInDifferences", did.EngagedMembers with { Key = "did.engagedMembers" });
        Figure(csv, "differenceInDifferences", did.ComparisonMembers with { Key = "did.comparisonMembers" });
        foreach (var target in report.Targets)
        {
            Row(csv, "targets", "targets." + target.Key, $"{target.Label} - {ReferenceTarget.Kind}. {target.Basis}",
                target.Target.ToString("0.##", CultureInfo.InvariantCulture), Unit(target.Unit), "false");
            if (target.Measured is { } measured)
            {
                Figure(csv, "targets", measured);
            }
        }

        return csv.ToString();
    }

    private static void Figure(StringBuilder csv, string section, ReportFigure figure) =>
        Row(csv, section, figure.Key, figure.Label, figure.Suppressed ? string.Empty : figure.Display, Unit(figure.Unit), figure.Suppressed ? "true" : "false");

    private static string Unit(FigureUnit unit) => CohortMeasures.Camel(unit);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Row(StringBuilder csv, params string[] cells)
    {
        csv.AppendJoin(',', cells.Select(Escape)).Append("\r\n");
    }

    private static string Escape(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
