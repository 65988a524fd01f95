namespace Mets.Domain.Assessments;

/// <summary>
/// The scored, coded part of an assessment: instruments (any may be absent), social needs and
/// barriers. Carries no free text, so it may travel in orchestration payloads.
/// Social needs and barriers are kept distinct and in enum order.
/// </summary>
public sealed record AssessmentScores
{
    private readonly SocialNeedDomain[] socialNeeds;
    private readonly ProgramBarrier[] barriers;

    public AssessmentScores(
        Phq9? phq9,
        Gad7? gad7,
        AuditC? auditC,
        CssrsScreener? cssrs,
        IReadOnlyList<SocialNeedDomain>? socialNeeds,
        IReadOnlyList<ProgramBarrier>? barriers)
    {
        Phq9 = phq9;
        Gad7 = gad7;
        AuditC = auditC;
        Cssrs = cssrs;
        this.socialNeeds = Normalize(socialNeeds, nameof(socialNeeds));
        this.barriers = Normalize(barriers, nameof(barriers));
    }

    public Phq9? Phq9 { get; }

    public Gad7? Gad7 { get; }

    public AuditC? AuditC { get; }

    public CssrsScreener? Cssrs { get; }

    public IReadOnlyList<SocialNeedDomain> SocialNeeds => socialNeeds;

    public IReadOnlyList<ProgramBarrier> Barriers => barriers;

    /// <summary>Safety risk = PHQ-9 item 9 above 0, or C-SSRS triage moderate or high.</summary>
    public bool HasSafetyRisk => Phq9 is { SelfHarmItem: > 0 } || Cssrs is { Risk: CssrsRisk.Moderate or CssrsRisk.High };

    public bool Equals(AssessmentScores? other) =>
        other is not null && Equals(Phq9, other.Phq9) && Equals(Gad7, other.Gad7) && Equals(AuditC, other.AuditC)
        && Equals(Cssrs, other.Cssrs) && socialNeeds.SequenceEqual(other.socialNeeds) && barriers.SequenceEqual(other.barriers);

    public override int GetHashCode() => HashCode.Combine(Phq9, Gad7, AuditC, Cssrs, socialNeeds.Length, barriers.Length);

    private static T[] Normalize<T>(IReadOnlyList<T>? values, string name)
        where T : struct, Enum
    {
        if (values is null)
        {
            return [];
        }

        if (values.Any(v => !Enum.IsDefined(v)))
        {
            throw new ArgumentOutOfRangeException(name, $"Unknown {typeof(T).Name} code.");
        }

        return [.. values.Distinct().Order()];
    }
}
