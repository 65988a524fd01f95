using Mets.Domain.Engagements;
using Mets.Domain.Referrals;
using Mets.Workflow.Cases;

namespace Mets.Azure.Cosmos.Cases;

// The items CosmosCaseStore keeps (docs/cosmos.md). Property names are camelCase in JSON (CaseDocumentJson.Options);
// each item carries its container's partition key property.

/// <summary>
/// <c>cases/{engagementId}/case</c>: the case document without its timeline. <paramref name="TimelineLength"/> counts every
/// entry; the last <paramref name="RecentTimeline"/> entries (those of the last save) live here until the next save writes
/// them as <see cref="TimelineItem"/>s, the earlier ones are items already. <paramref name="Version"/> counts saves (1 at
/// intake) and orders the work-queue copies; <paramref name="AppliedChanges"/> keeps the keys of the last
/// <see cref="CosmosCaseStore.AppliedChangesKept"/> change ids (<see cref="CosmosCaseStore.ChangeKey"/>).
/// <paramref name="TimelineHead"/> is the hash chain's head at <paramref name="TimelineLength"/> entries
/// (<see cref="TimelineChain.Head"/>), which a save's timeline must reach (the timeline is append-only); null on a
/// document written before the chain existed (the save then computes it from the stored entries).
/// </summary>
internal sealed record CaseItem(
    string Id,
    string EngagementId,
    string Kind,
    int Version,
    int TimelineLength,
    IReadOnlyList<TimelineEntry> RecentTimeline,
    IReadOnlyList<string> AppliedChanges,
    EngagementCase Case,
    string? TimelineHead = null);

/// <summary><c>cases/{engagementId}/timeline-000001</c>...: one timeline entry; <paramref name="Position"/> is 1-based.</summary>
internal sealed record TimelineItem(string Id, string EngagementId, string Kind, int Position, TimelineEntry Entry);

/// <summary><c>cases/{engagementId}/assessment-details</c>: the full assessment the clinician submitted.</summary>
internal sealed record AssessmentDetailsItem(string Id, string EngagementId, string Kind, AssessmentDetails Details);

/// <summary><c>referrals/{referralId}</c>: the referral, its fingerprint and the engagement it belongs to (never changes once created).</summary>
internal sealed record ReferralItem(string Id, string ReferralId, string EngagementId, string Fingerprint, Referral Referral);

/// <summary>
/// <c>members/{memberId}</c>: the member's claim: the engagement that is (or is being) the member's open one, the referral
/// that claimed it and the case document intake writes for it, so any later intake can finish a claim whose intake
/// stopped half-way. The claim counts once <c>referrals/{referralId}</c> names its engagement.
/// </summary>
internal sealed record MemberItem(string Id, string MemberId, string EngagementId, string ReferralId, Referral Referral, EngagementCase NewCase);

/// <summary><c>work-queue/open/{engagementId}</c>: a copy of an open case document (no timeline) at <paramref name="Version"/>.</summary>
internal sealed record QueueItem(string Id, string Queue, string? AssignedClinician, int Version, EngagementCase Case);

/// <summary>One row of the clinician-count query.</summary>
internal sealed record ClinicianRow(string? AssignedClinician);

/// <summary>Any item of the cases container as the reports' feed reads it: its kind and, on a case item, the case.</summary>
internal sealed record FeedItem(string Kind, EngagementCase? Case);
