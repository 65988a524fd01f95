using Mets.Api.Problems;
using Mets.Domain.Assessments;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Api.Engagements;

/// <summary>Instrument scores as the clinician sends them: item scores in questionnaire order. Any instrument may be left out.</summary>
/// <param name="Phq9">The nine PHQ-9 item scores (0-3 each).</param>
/// <param name="Gad7">The seven GAD-7 item scores (0-3 each).</param>
/// <param name="AuditC">AUDIT-C: three item scores (0-4 each) and the sex used for its threshold.</param>
/// <param name="Cssrs">The C-SSRS screener answers.</param>
/// <param name="SocialNeeds">AHC HRSN domains with a need.</param>
/// <param name="Barriers">Program barriers observed.</param>
public sealed record ScoresBody(
    IReadOnlyList<int>? Phq9 = null,
    IReadOnlyList<int>? Gad7 = null,
    AuditCBody? AuditC = null,
    CssrsBody? Cssrs = null,
    IReadOnlyList<SocialNeedDomain>? SocialNeeds = null,
    IReadOnlyList<ProgramBarrier>? Barriers = null)
{
    /// <summary>The domain scores, or null with errors added under <paramref name="path"/>.</summary>
    public AssessmentScores? ToScores(FieldErrors errors, string path)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;
        CheckItems(Phq9, Mets.Domain.Assessments.Phq9.ItemCount, Mets.Domain.Assessments.Phq9.MaxItemScore, errors, path + ".phq9");
        CheckItems(Gad7, Mets.Domain.Assessments.Gad7.ItemCount, Mets.Domain.Assessments.Gad7.MaxItemScore, errors, path + ".gad7");
        CheckItems(AuditC?.Items, Mets.Domain.Assessments.AuditC.ItemCount, Mets.Domain.Assessments.AuditC.MaxItemScore, errors, path + ".auditC.items");
        if (errors.Count > before)
        {
            return null;
        }

        return new AssessmentScores(
            Phq9 is null ? null : new Phq9(Phq9),
            Gad7 is null ? null : new Gad7(Gad7),
            AuditC is null ? null : new AuditC(AuditC.Items, AuditC.Sex),
            Cssrs is null ? null : new CssrsScreener(Cssrs.WishToBeDead, Cssrs.SuicidalThoughts, Cssrs.ThoughtsWithMethod, Cssrs.IntentToAct, Cssrs.PlanWithIntent, Cssrs.Behavior),
            SocialNeeds,
            Barriers);
    }

    private static void CheckItems(IReadOnlyList<int>? items, int count, int max, FieldErrors errors, string path)
    {
        if (items is not null && (items.Count != count || items.Any(i => i < 0 || i > max)))
        {
            errors.Add(path, $"must be {count} item scores of 0 to {max}.");
        }
    }
}

public sealed record AuditCBody(IReadOnlyList<int> Items, AuditCSex Sex = AuditCSex.Unknown);

public sealed record CssrsBody(
    bool WishToBeDead,
    bool SuicidalThoughts,
    bool ThoughtsWithMethod,
    bool IntentToAct,
    bool PlanWithIntent,
    SuicidalBehavior Behavior = SuicidalBehavior.None);

/// <summary>A provider treating the member: the outreach email goes to <see cref="Email"/>.</summary>
public sealed record TreatingProviderBody(string Name, string Npi, string Email, ProviderRole Role)
{
    public static IReadOnlyList<TreatingProvider> ToProviders(IReadOnlyList<TreatingProviderBody> bodies, FieldErrors errors, string path)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        ArgumentNullException.ThrowIfNull(errors);
        var providers = new List<TreatingProvider>();
        for (var i = 0; i < bodies.Count; i++)
        {
            var at = $"{path}[{i}]";
            var body = bodies[i];
            if (body is null)
            {
                errors.Add(at, "must be a provider, not null.");
                continue;
            }

            errors.RequireText(body.Name, at + ".name", TreatingProvider.MaxNameLength);
            var npiOk = Domain.Identifiers.Npi.TryParse(body.Npi, out var npi, out var npiReason);
            if (!npiOk)
            {
                errors.Add(at + ".npi", $"must be a valid NPI ({npiReason}).");
            }

            var emailOk = Domain.Identifiers.Email.TryParse(body.Email, out var email, out var emailReason);
            if (!emailOk)
            {
                errors.Add(at + ".email", $"must be an email address ({emailReason}).");
            }

            if (npiOk && emailOk && !string.IsNullOrWhiteSpace(body.Name))
            {
                providers.Add(new TreatingProvider(body.Name.Trim(), npi, email, body.Role));
            }
        }

        if (providers.GroupBy(p => p.Npi).Any(g => g.Count() > 1))
        {
            errors.Add(path, "lists an NPI more than once.");
        }

        return providers;
    }
}
