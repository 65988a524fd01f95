namespace Mets.Claims.Analytics;

/// <summary>Result of a days-covered calculation over a period.</summary>
public sealed record DaysCovered(DateOnly PeriodStart, DateOnly PeriodEnd, int CoveredDays, int PeriodDays)
{
    /// <summary>Proportion of days covered, 0..1.</summary>
    public decimal Proportion => PeriodDays == 0 ? 0 : (decimal)CoveredDays / PeriodDays;
}

/// <summary>
/// Proportion of days covered, PQA method: fills sorted by date; a fill of the same drug that arrives
/// while supply of that drug remains starts the day after the earlier supply ends; each fill covers
/// days supply days, capped at the period end; days covered by several drugs of the class count once.
/// </summary>
public static class ProportionOfDaysCovered
{
    public static DaysCovered Calculate(IEnumerable<PharmacyFill> fills, DateOnly periodStart, DateOnly periodEnd)
    {
        ArgumentNullException.ThrowIfNull(fills);
        var periodDays = periodEnd.DayNumber - periodStart.DayNumber + 1;
        if (periodDays <= 0)
        {
            return new DaysCovered(periodStart, periodEnd, 0, 0);
        }

        var covered = new bool[periodDays];
        foreach (var drug in fills.GroupBy(f => f.Drug, StringComparer.Ordinal))
        {
            var nextFree = DateOnly.MinValue;
            foreach (var fill in drug.OrderBy(f => f.FillDate))
            {
                var start = fill.FillDate > nextFree ? fill.FillDate : nextFree;
                var end = start.AddDays(fill.DaysSupply - 1);
                nextFree = end.AddDays(1);
                var from = Math.Max(start.DayNumber, periodStart.DayNumber);
                var to = Math.Min(end.DayNumber, periodEnd.DayNumber);
                for (var day = from; day <= to; day++)
                {
                    covered[day - periodStart.DayNumber] = true;
                }
            }
        }

        return new DaysCovered(periodStart, periodEnd, covered.Count(c => c), periodDays);
    }
}
