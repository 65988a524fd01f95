using Mets.Domain.Closure;
using Mets.Domain.Engagements;

namespace Mets.Api.Engagements;

/// <summary><c>POST /api/engagements/{id}/assessment</c>. The clinician is the caller (the key's user).</summary>
/// <param name="Scores">Instrument item scores, social needs and barriers.</param>
/// <param name="MemberStatedGoals">The member's goals in their words (case document only).</param>
/// <param name="TreatingProviders">The confirmed treating providers; left out, the referrals' providers are contacted.</param>
public sealed record RecordAssessmentRequest(ScoresBody Scores, IReadOnlyList<string> MemberStatedGoals, IReadOnlyList<TreatingProviderBody>? TreatingProviders = null);

/// <summary><c>POST /api/engagements/{id}/contact-attempts</c>.</summary>
/// <param name="Outcome">What the attempt to reach the member came to.</param>
/// <param name="AttemptNumber">1-based over the engagement; send it to make a retried submission safe (left out: the next number).</param>
public sealed record RecordContactAttemptRequest(MemberContactOutcome Outcome, int? AttemptNumber = null);

/// <summary><c>POST /api/engagements/{id}/reviews</c>.</summary>
/// <param name="ReviewNumber">The review this answers (the current step's number when it is a review).</param>
/// <param name="Rescreen">New scores when the member was re-screened.</param>
/// <param name="CloseWith">Close the engagement with this review (e.g. goalsMet).</param>
/// <param name="GoalProgress">Progress on each agreed or in-progress goal of the care plan (required for each of them).</param>
public sealed record RecordReviewRequest(int ReviewNumber, ScoresBody? Rescreen = null, ClosureReason? CloseWith = null, IReadOnlyList<GoalProgressBody>? GoalProgress = null);

/// <summary>A review's progress on one goal: its status now and the clinician's note.</summary>
public sealed record GoalProgressBody(string GoalId, Mets.Domain.CarePlans.GoalStatus Status, string? Note = null);

/// <summary><c>POST /api/engagements/{id}/closure-review</c>: the supervisor's decision at the maximum duration.</summary>
public sealed record DecideClosureReviewRequest(int ClosureReviewNumber, ClosureReviewDecision Decision, ClosureReason? Reason = null);

/// <summary><c>POST /api/engagements/{id}/closure</c>: close now, whatever the step.</summary>
public sealed record RequestClosureRequest(ClosureReason Reason);

/// <summary><c>POST /api/engagements/{id}/outreach/{npi}/peer-review</c>: the medical director's peer-to-peer review of an escalated outreach.</summary>
/// <param name="Outcome">agreedOnPlan, providerDeclined or providerUnavailable.</param>
public sealed record RecordPeerReviewRequest(PeerReviewOutcome Outcome);
