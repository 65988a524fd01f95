using Mets.Api.Engagements;
using Mets.Api.Problems;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Api.Referrals;

/// <summary>A referral to METS as JSON (<c>POST /api/referrals</c>, <c>application/json</c>).</summary>
/// <param name="ReferralId">The referring system's id: sending the same referral again is safe (same engagement).</param>
/// <param name="MemberId">The member, written <c>PAYER:NUMBER</c>.</param>
/// <param name="Source">Who refers the member.</param>
/// <param name="Reason">Why (coded).</param>
/// <param name="Diagnoses">ICD-10-CM codes (may be empty).</param>
/// <param name="TreatingProviders">Providers to contact for collaboration (may be empty).</param>
/// <param name="Urgency">Routine (default) or urgent: an urgent assessment is due sooner.</param>
/// <param name="SafetyConcern">The referrer flags a safety concern (the assessment is due sooner).</param>
/// <param name="ConsentToShareSubstanceUseInformation">42 CFR Part 2 consent recorded: substance-use diagnoses may be shown to providers.</param>
/// <param name="ReasonDetail">Narrative, at most 2000 characters (kept in the case document only).</param>
public sealed record SubmitReferralRequest(
    string ReferralId,
    string MemberId,
    ReferralSource Source,
    ReferralReason Reason,
    IReadOnlyList<string> Diagnoses,
    IReadOnlyList<TreatingProviderBody> TreatingProviders,
    ReferralUrgency Urgency = ReferralUrgency.Routine,
    bool SafetyConcern = false,
    bool ConsentToShareSubstanceUseInformation = false,
    string? ReasonDetail = null)
{
    /// <summary>The domain referral, or null with every problem added to <paramref name="errors"/> at its JSON path.</summary>
    public Referral? ToReferral(DateTimeOffset receivedAt, FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var idOk = Domain.Identifiers.ReferralId.TryParse(ReferralId, out var id, out var idReason);
        if (!idOk)
        {
            errors.Add("$.referralId", $"must be a referral id ({idReason}).");
        }

        var memberOk = Domain.Identifiers.MemberId.TryParse(MemberId, out var member, out var memberReason);
        if (!memberOk)
        {
            errors.Add("$.memberId", $"must be a member id ({memberReason}).");
        }

        var diagnoses = ReferralFields.Diagnoses(Diagnoses, errors, "$.diagnoses");
        errors.Require(ReasonDetail is null || ReasonDetail.Length <= Referral.MaxReasonDetailLength, "$.reasonDetail",
            $"must be at most {Referral.MaxReasonDetailLength} characters long.");
        errors.Require(TreatingProviders.Count <= Referral.MaxTreatingProviders, "$.treatingProviders",
            $"must list at most {Referral.MaxTreatingProviders} providers.");
        var providers = TreatingProviderBody.ToProviders(TreatingProviders, errors, "$.treatingProviders");
        return errors.IsEmpty
            ? new Referral(id, member, Source, Reason, string.IsNullOrWhiteSpace(ReasonDetail) ? null : ReasonDetail, diagnoses, Urgency,
                SafetyConcern, ConsentToShareSubstanceUseInformation, providers, receivedAt)
            : null;
    }
}

internal static class ReferralFields
{
    public static List<IcdCode> Diagnoses(IReadOnlyList<string> codes, FieldErrors errors, string path)
    {
        var diagnoses = new List<IcdCode>();
        errors.Require(codes.Count <= Referral.MaxDiagnoses, path, $"must list at most {Referral.MaxDiagnoses} codes.");
        for (var i = 0; i < codes.Count; i++)
        {
            if (IcdCode.TryParse(codes[i], out var code, out var reason))
            {
                diagnoses.Add(code);
            }
            else
            {
                errors.Add($"{path}[{i}]", $"must be an ICD-10-CM code ({reason}).");
            }
        }

        errors.Require(diagnoses.Distinct().Count() == diagnoses.Count, path, "lists a code more than once.");
        return diagnoses;
    }
}
