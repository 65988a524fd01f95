using Mets.Domain.Assessments;
using Mets.Domain.CarePlans;

namespace Mets.Api.CarePlans;

/// <summary><c>POST /api/engagements/{id}/care-plan/goals</c>: a goal agreed (or proposed) with the member.</summary>
/// <param name="Description">The goal in the member's words.</param>
/// <param name="Status">proposed (default), agreed or inProgress.</param>
/// <param name="Target">How progress is measured (the clinician's words).</param>
/// <param name="TargetDate">When the member aims to reach it.</param>
/// <param name="SubstanceUse">The goal is about substance use: shared outside METS only under a 42 CFR Part 2 consent covering the care plan.</param>
/// <param name="GoalId">G1, G2, ...: send it to make a retried submission safe (left out: the next id).</param>
public sealed record AddGoalRequest(string Description, GoalStatus Status = GoalStatus.Proposed, string? Target = null, DateOnly? TargetDate = null, bool SubstanceUse = false, string? GoalId = null);

/// <summary><c>POST /api/engagements/{id}/care-plan/goals/{goalId}</c>: any of status, target and target date (left out: unchanged).</summary>
public sealed record ChangeGoalRequest(GoalStatus? Status = null, string? Target = null, DateOnly? TargetDate = null);

/// <summary><c>POST /api/engagements/{id}/care-plan/barriers</c>: one of the program's seven barriers (or other); socialDeterminants names its AHC HRSN domain.</summary>
/// <param name="BarrierId">B1, B2, ...: send it to make a retried submission safe (left out: the next id).</param>
public sealed record AddBarrierRequest(ProgramBarrier Kind, SocialNeedDomain? SocialNeed = null, string? Note = null, string? BarrierId = null);

/// <summary><c>POST /api/engagements/{id}/care-plan/barriers/{barrierId}</c>: resolved (or reopened) and/or a new note.</summary>
public sealed record ChangeBarrierRequest(bool? Resolved = null, string? Note = null);

/// <summary><c>POST /api/engagements/{id}/care-plan/interventions</c>: an intervention aimed at a barrier of the plan.</summary>
/// <param name="ResourceId">A community resource from the directory (a community-resource or social-needs referral).</param>
/// <param name="FollowUpDueAt">When the referral is followed up: overdue, it reminds the clinician like a step.</param>
/// <param name="InterventionId">I1, I2, ...: send it to make a retried submission safe (left out: the next id).</param>
public sealed record AddInterventionRequest(
    InterventionKind Kind,
    string Description,
    string BarrierId,
    InterventionStatus Status = InterventionStatus.Planned,
    string? ResourceId = null,
    DateTimeOffset? FollowUpDueAt = null,
    string? InterventionId = null);

/// <summary><c>POST /api/engagements/{id}/care-plan/interventions/{interventionId}</c>: its new status (completed or cancelled ends its follow-up).</summary>
public sealed record ChangeInterventionRequest(InterventionStatus Status);

/// <summary><c>POST /api/engagements/{id}/care-plan/share</c>: email a care-plan link to these participants (left out: every participant who agreed to collaborate).</summary>
public sealed record ShareCarePlanRequest(IReadOnlyList<string>? Npis = null);

/// <summary>The 202 body of a share: the engagement, where to read it, and the NPIs the care plan went to.</summary>
public sealed record CarePlanShareAccepted(string Id, string StatusUri, IReadOnlyList<string> SharedWith);

/// <summary>
/// <c>POST /api/engagements/{id}/care-team</c>: a participant beyond the treating behavioral-health provider (role
/// <c>primaryCare</c>, <c>psychiatry</c> for a consultant, <c>pharmacy</c>, <c>dental</c>, <c>socialServices</c>, ...),
/// with contact; <paramref name="Contact"/> (default true) includes them in the outreach.
/// </summary>
public sealed record AddCareTeamMemberRequest(string Name, string Npi, string Email, Mets.Domain.Referrals.ProviderRole Role, string? Phone = null, bool Contact = true);

/// <summary>
/// <c>POST /api/engagements/{id}/care-plan/level-of-care</c>: a recommendation to step care down or up (e.g. inpatient
/// -> intensiveOutpatient -> outpatient) with the reason; sent to the collaborating providers (or those named) with the
/// shared care plan.
/// </summary>
public sealed record RecommendLevelOfCareRequest(LevelOfCare From, LevelOfCare To, string Reason, IReadOnlyList<string>? ShareWith = null);
