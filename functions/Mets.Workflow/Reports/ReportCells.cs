using System.Globalization;

namespace Mets.Workflow.Reports;

/// <summary>What a report figure measures, for formatting and for the suppression rule.</summary>
public enum FigureUnit
{
    /// <summary>A count of members, referrals, steps, events or care gaps: suppressed under the minimum cell count.</summary>
    Count,

    /// <summary>A share in percent (0-100), derived from counts.</summary>
    Percent,

    /// <summary>A rate per 1,000 member-months, derived from counts.</summary>
    Per1000MemberMonths,

    /// <summary>Dollars (paid amounts, PMPM, estimated savings).</summary>
    Dollars,

    /// <summary>Days (time from referral to assessment).</summary>
    Days,

    /// <summary>A percentile rank (0-100) among the plan's providers.</summary>
    Percentile,
}

/// <summary>
/// One figure of a report: a stable key (e.g. <c>funnel.engaged</c>), a label, the value (null when
/// <see cref="Suppressed"/> or not computable) and its unit. A suppressed figure never carries its value.
/// </summary>
public sealed record ReportFigure(string Key, string Label, decimal? Value, FigureUnit Unit, bool Suppressed)
{
    /// <summary>The value as a CSV/HTML cell: the number, <c>suppressed</c>, or empty when not computable.</summary>
    public string Display =>
        Suppressed ? "suppressed"
        : Value is not { } v ? string.Empty
        : Unit == FigureUnit.Count ? v.ToString("0", CultureInfo.InvariantCulture)
        : v.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>
/// The figures of one report while it is built: counts (with the additive relations among them, "this total is the
/// sum of those parts"), then small-cell suppression (<see cref="Suppress"/>), then figures derived from counts
/// (rates, shares), which are suppressed whenever a count they are made of is. Keys keep their insertion order.
/// </summary>
/// <remarks>
/// Suppression: every count from 1 to <c>minimum - 1</c> is hidden (primary). Then, for every relation
/// <c>total = part1 + ... + partN</c> in which exactly one member (the total or a part) is hidden, the smallest
/// non-zero visible member other than the total is hidden too (complementary), or the total when no part is left; this runs until
/// no relation has a single hidden member, so no hidden count can be recovered by subtracting visible ones from a
/// visible total. Zeros stay visible (a zero says nothing about any member).
/// </remarks>
public sealed class ReportCells
{
    private readonly Dictionary<string, Cell> _cells = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly List<(string Total, string[] Parts)> _relations = [];
    private bool _suppressed;

    /// <summary>Adds a count; <paramref name="hidden"/> hides it whatever its value (a figure of a group under the minimum cell count).</summary>
    public void Count(string key, string label, long value, bool hidden = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Add(new Cell(key, label, value, FigureUnit.Count, IsCount: true) { Hidden = hidden });
    }

    /// <summary>Adds a figure that is not a count (an amount, days, a derived rate) with an explicit suppression flag.</summary>
    public void Figure(string key, string label, decimal? value, FigureUnit unit, bool suppressed = false) =>
        Add(new Cell(key, label, value, unit, IsCount: false) { Hidden = suppressed });

    /// <summary>Records that <paramref name="total"/> is the sum of <paramref name="parts"/> (all counts added before).</summary>
    public void Sum(string total, params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (!_cells.TryGetValue(total, out var totalCell) || parts.Any(p => !_cells.ContainsKey(p)))
        {
            throw new InvalidOperationException($"A relation names a figure that was not added ({total}).");
        }

        var sum = parts.Sum(p => _cells[p].Value ?? 0);
        if (sum != (totalCell.Value ?? 0))
        {
            throw new InvalidOperationException($"The parts of {total} do not add up to it.");
        }

        _relations.Add((total, parts));
    }

    /// <summary>The raw value of a count or figure, whether or not it will be shown (for computing derived figures).</summary>
    public decimal? Raw(string key) => _cells[key].Value;

    /// <summary>Whether the figure is hidden (after <see cref="Suppress"/>).</summary>
    public bool IsHidden(string key) => _cells[key].Hidden;

    /// <summary>True when the figure exists.</summary>
    public bool Has(string key) => _cells.ContainsKey(key);

    /// <summary>Applies primary and complementary suppression with <paramref name="minimum"/> (1 = nothing suppressed).</summary>
    public void Suppress(int minimum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        foreach (var cell in _cells.Values.Where(c => c.IsCount && c.Value is > 0 && c.Value < minimum))
        {
            cell.Hidden = true;
        }

        bool changed;
        do
        {
            changed = false;
            foreach (var (total, parts) in _relations)
            {
                var members = parts.Prepend(total).Select(k => _cells[k]).ToList();
                if (members.Count(c => c.Hidden) != 1)
                {
                    continue;
                }

                var next = parts.Select(k => _cells[k]).Where(c => !c.Hidden && c.Value > 0).OrderBy(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault()
                    ?? _cells[total];
                if (next.Hidden)
                {
                    // Only zeros are visible besides the hidden part and the total is hidden: nothing left to recover from.
                    continue;
                }

                next.Hidden = true;
                changed = true;
            }
        }
        while (changed);

        _suppressed = true;
    }

    /// <summary><paramref name="numerator"/> / <paramref name="denominator"/> x <paramref name="scale"/>, hidden when either is; empty when the denominator is 0.</summary>
    public void Ratio(string key, string label, string numerator, string denominator, decimal scale, FigureUnit unit, int decimals = 1)
    {
        var hidden = IsHidden(numerator) || IsHidden(denominator);
        var d = Raw(denominator) ?? 0;
        decimal? value = hidden || d == 0 || Raw(numerator) is not { } n ? null : Math.Round(n / d * scale, decimals, MidpointRounding.AwayFromZero);
        Figure(key, label, value, unit, hidden);
    }

    /// <summary>A figure derived from others: hidden when any of <paramref name="inputs"/> is.</summary>
    public void Derived(string key, string label, decimal? value, FigureUnit unit, params string[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var hidden = inputs.Any(IsHidden);
        Figure(key, label, hidden ? null : value, unit, hidden);
    }

    /// <summary>Every figure in insertion order; call after <see cref="Suppress"/>.</summary>
    public IReadOnlyList<ReportFigure> Figures()
    {
        if (!_suppressed)
        {
            throw new InvalidOperationException("Suppress the counts before reading the figures.");
        }

        return [.. _order.Select(k => _cells[k]).Select(c => new ReportFigure(c.Key, c.Label, c.Hidden ? null : c.Value, c.Unit, c.Hidden))];
    }

    /// <summary>A human-readable count for messages (never a member's value).</summary>
    public static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Add(Cell cell)
    {
        if (!_cells.TryAdd(cell.Key, cell))
        {
            throw new InvalidOperationException($"The figure {cell.Key} was added twice.");
        }

        _order.Add(cell.Key);
    }

    private sealed record Cell(string Key, string Label, decimal? Value, FigureUnit Unit, bool IsCount)
    {
        public bool Hidden { get; set; }
    }
}
