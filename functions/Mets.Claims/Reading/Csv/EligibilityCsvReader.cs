namespace Mets.Claims.Reading.Csv;

/// <summary>One coverage span of a member: the source of member-months, continuous enrollment and
/// lost eligibility. <see cref="CoverageEnd"/> is null while coverage is open-ended.</summary>
public sealed record EligibilitySpan(string MemberId, string Plan, DateOnly CoverageStart, DateOnly? CoverageEnd)
{
    /// <summary>The member's date of birth when the eligibility file gives it (the plan's enrollment record, which the
    /// measures prefer to a claim's: see <see cref="Analytics.MemberFacts"/>). Protected health information: never
    /// logged or put in evidence.</summary>
    public DateOnly? MemberBirthDate { get; init; }

    public bool Covers(DateOnly date) => date >= CoverageStart && (CoverageEnd is null || date <= CoverageEnd);
}

/// <summary>What the eligibility reader produced for one row.</summary>
public sealed record EligibilityReadOutcome(EligibilitySpan? Span, IReadOnlyList<RejectEntry> Rejects);

/// <summary>The member eligibility CSV columns and their header aliases (docs/claims-csv.md).</summary>
public static class EligibilityCsvColumns
{
    public const string MemberId = "member_id";
    public const string Plan = "plan";
    public const string CoverageStart = "coverage_start";
    public const string CoverageEnd = "coverage_end";

    /// <summary>Optional: the member's date of birth.</summary>
    public const string MemberBirthDate = ClaimsCsvColumns.MemberBirthDate;

    public static readonly IReadOnlyList<string> Required = [MemberId, Plan, CoverageStart, CoverageEnd];

    public static readonly IReadOnlyDictionary<string, string[]> Aliases = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [MemberId] = ["member", "subscriber_id", "member_number"],
        [Plan] = ["plan_id", "plan_code", "product"],
        [CoverageStart] = ["start_date", "eligibility_start", "effective_date", "enrollment_start"],
        [CoverageEnd] = ["end_date", "eligibility_end", "termination_date", "enrollment_end"],
        [MemberBirthDate] = ClaimsCsvColumns.MemberBirthDateAliases,
    };
}

/// <summary>Streams a member eligibility CSV. The unit of rejection is a row (one coverage span).</summary>
public static class EligibilityCsvReader
{
    public static IEnumerable<EligibilityReadOutcome> Read(Stream content, Action<long>? rowRead = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        return ReadIterator(content, rowRead);
    }

    /// <summary>True when a header row names the eligibility columns (used to tell the two CSV kinds apart).</summary>
    internal static bool LooksLikeEligibility(IReadOnlyList<string> headerNames) =>
        CsvHeader.NamesAll(headerNames, EligibilityCsvColumns.Aliases, EligibilityCsvColumns.CoverageStart, EligibilityCsvColumns.MemberId);

    private static IEnumerable<EligibilityReadOutcome> ReadIterator(Stream content, Action<long>? rowRead)
    {
        using var text = new StreamReader(content, leaveOpen: true);
        using var csv = ClaimsCsvReader.Open(text);
        var header = new CsvHeader(Enumerable.Range(0, csv.FieldCount).Select(csv.GetName).ToList(), EligibilityCsvColumns.Aliases);
        header.Require(EligibilityCsvColumns.Required);
        int member = header[EligibilityCsvColumns.MemberId], plan = header[EligibilityCsvColumns.Plan];
        int start = header[EligibilityCsvColumns.CoverageStart], end = header[EligibilityCsvColumns.CoverageEnd];
        var birth = header[EligibilityCsvColumns.MemberBirthDate];
        long row = 1;
        while (ClaimsCsvReader.NextRow(csv))
        {
            row++;
            rowRead?.Invoke(row);
            var location = ClaimsCsvReader.Location(row);
            var rejects = new List<RejectEntry>();
            var memberId = ClaimsCsvReader.Field(csv, member);
            if (!ClaimCodes.IsIdentifier(memberId))
            {
                rejects.Add(new RejectEntry(location, EligibilityCsvColumns.MemberId, memberId.IsEmpty ? "is required" : "must be 1 to 50 printable characters"));
            }

            var planText = ClaimsCsvReader.Field(csv, plan);
            if (!ClaimCodes.IsIdentifier(planText))
            {
                rejects.Add(new RejectEntry(location, EligibilityCsvColumns.Plan, planText.IsEmpty ? "is required" : "must be 1 to 50 printable characters"));
            }

            if (!ClaimCodes.TryParseDate(ClaimsCsvReader.Field(csv, start), out var startDate))
            {
                rejects.Add(new RejectEntry(location, EligibilityCsvColumns.CoverageStart, "must be a date (yyyy-MM-dd or yyyyMMdd)"));
            }

            DateOnly? endDate = null;
            var endText = ClaimsCsvReader.Field(csv, end);
            if (!endText.IsEmpty)
            {
                if (ClaimCodes.TryParseDate(endText, out var parsed))
                {
                    endDate = parsed;
                    if (parsed < startDate)
                    {
                        rejects.Add(new RejectEntry(location, EligibilityCsvColumns.CoverageEnd, "is before the coverage start"));
                    }
                }
                else
                {
                    rejects.Add(new RejectEntry(location, EligibilityCsvColumns.CoverageEnd, "must be a date (yyyy-MM-dd or yyyyMMdd) or empty for open-ended coverage"));
                }
            }

            DateOnly? birthDate = null;
            var birthText = ClaimsCsvReader.Field(csv, birth);
            if (!birthText.IsEmpty)
            {
                if (ClaimCodes.TryParseDate(birthText, out var born))
                {
                    birthDate = born;
                }
                else
                {
                    rejects.Add(new RejectEntry(location, EligibilityCsvColumns.MemberBirthDate, "must be a date (yyyy-MM-dd or yyyyMMdd) or empty"));
                }
            }

            yield return rejects.Count == 0
                ? new EligibilityReadOutcome(new EligibilitySpan(memberId.ToString(), planText.ToString(), startDate, endDate) { MemberBirthDate = birthDate }, [])
                : new EligibilityReadOutcome(null, rejects);
        }
    }
}
