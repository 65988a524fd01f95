using Mets.Domain.Assessments;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Workflow.Cases;

/// <summary>What intake found when it recorded a referral (one transaction in the store).</summary>
public enum ReferralIntakeKind
{
    /// <summary>A new engagement was written with status Received.</summary>
    Created,

    /// <summary>The same referral id with the same content was seen before: the same engagement.</summary>
    SameReferral,

    /// <summary>The member has an open engagement: the referral was recorded against it (raise ReferralAttached).</summary>
    AttachedToOpenEngagement,

    /// <summary>The same referral id was seen before with different content.</summary>
    Conflict,
}

/// <param name="Kind">What happened.</param>
/// <param name="EngagementId">The engagement the referral belongs to (for Conflict: the one holding the id).</param>
public sealed record ReferralIntake(ReferralIntakeKind Kind, EngagementId EngagementId);

public enum CaseSaveOutcome
{
    Saved,

    /// <summary>The case changed since it was read (ETag mismatch): read again and retry.</summary>
    ConcurrencyConflict,

    /// <summary>This change id was applied before (an activity retried): nothing written.</summary>
    AlreadyApplied,
}

/// <param name="Outcome">What happened.</param>
/// <param name="Case">The saved case with its new ETag when <see cref="CaseSaveOutcome.Saved"/>.</param>
public sealed record CaseSaveResult(CaseSaveOutcome Outcome, EngagementCase? Case);

/// <summary>The full assessment the clinician submitted (member goals: PHI), kept beside the case until the orchestration applies it.</summary>
public sealed record AssessmentDetails(Assessment Assessment, IReadOnlyList<TreatingProvider>? ConfirmedProviders);

/// <summary>
/// The case-document store (port). Cosmos DB in Azure (Mets.Azure's CosmosCaseStore, docs/cosmos.md),
/// SQLite embedded. Writes use optimistic concurrency on <see cref="EngagementCase.ETag"/> and record the
/// change id in the same write, so a retried activity never applies its change twice (Cosmos remembers the
/// last 256 change ids of a case). The store enforces one open engagement per member and one engagement per
/// referral id; intake is atomic in SQLite and a sequence of idempotent conditional writes in Cosmos, so a
/// retry finishes an intake that stopped half-way.
/// </summary>
public interface ICaseStore
{
    /// <summary>
    /// Records <paramref name="referral"/> atomically: same id + same fingerprint = <see cref="ReferralIntakeKind.SameReferral"/>;
    /// same id + other fingerprint = <see cref="ReferralIntakeKind.Conflict"/>; an open engagement for the member = attach;
    /// otherwise writes <paramref name="newCase"/> (status Received) and the referral.
    /// </summary>
    Task<ReferralIntake> ReceiveReferralAsync(Referral referral, EngagementCase newCase, CancellationToken cancellationToken = default);

    Task<Referral?> GetReferralAsync(ReferralId id, CancellationToken cancellationToken = default);

    Task<EngagementCase?> GetAsync(EngagementId id, CancellationToken cancellationToken = default);

    Task<EngagementCase?> FindOpenByMemberAsync(MemberId member, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="updated"/> if its ETag still matches and <paramref name="changeId"/> was not applied before.</summary>
    Task<CaseSaveResult> SaveAsync(EngagementCase updated, string changeId, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="changeId"/> was applied to the case before.</summary>
    Task<bool> HasAppliedAsync(EngagementId id, string changeId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cases not closed (status Received or Open), optionally only those assigned to <paramref name="clinician"/>.
    /// For reading: the Cosmos adapter answers from its work-queue copies, without timeline or ETag (read the
    /// case with <see cref="GetAsync"/> before saving it).
    /// </summary>
    Task<IReadOnlyList<EngagementCase>> ListOpenAsync(StaffId? clinician = null, CancellationToken cancellationToken = default);

    /// <summary>Open engagements per assigned clinician (clinicians with none are absent).</summary>
    Task<IReadOnlyDictionary<StaffId, int>> CountOpenByClinicianAsync(CancellationToken cancellationToken = default);

    Task SaveAssessmentDetailsAsync(EngagementId id, AssessmentDetails details, CancellationToken cancellationToken = default);

    Task<AssessmentDetails?> GetAssessmentDetailsAsync(EngagementId id, CancellationToken cancellationToken = default);
}
