using System.Collections.Frozen;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Mets.FunctionApp.Http;

/// <summary>Who may call an HTTP function.</summary>
public enum HttpAccess
{
    /// <summary>Anyone (<c>/api/health</c>, the dashboard page and its assets, which hold no data).</summary>
    Anonymous,

    /// <summary>Anyone with the link (the signed token is the proof), rate-limited per client address.</summary>
    ProviderLink,

    /// <summary>A valid token of a mapped caller with a staff role (Clinician, Supervisor, MedicalDirector).</summary>
    Staff,

    /// <summary>A valid token of a mapped caller with a staff role or ReferralSource.</summary>
    ReferralSubmitter,
}

/// <summary>
/// One HTTP function as the middleware sees it: its route (without the host's <c>api</c> prefix), who may call it,
/// and which route values the request log may show, each with the test its value must pass (the local host's route
/// constraints do that there: a value of another shape never matches the route). Everything else shows as
/// <c>{name}</c>.
/// </summary>
public sealed record HttpFunctionRoute(string Name, string Method, string Route, HttpAccess Access, IReadOnlyDictionary<string, Func<string, bool>> LoggedValues)
{
    /// <summary>The full pattern the request arrives on (<c>api/</c> + route).</summary>
    public RoutePattern Pattern { get; } = RoutePatternFactory.Parse($"{HttpFunctionRoutes.RoutePrefix}/{Route}");

    /// <summary>Whether the request log may show this route value.</summary>
    public bool MayLog(string name, object? value) =>
        LoggedValues.TryGetValue(name, out var check) && value is string text && check(text);
}

/// <summary>
/// The function app's HTTP functions: names (the local host's endpoint names), routes, methods, access and loggable
/// route values. The function attributes use these constants; the middleware looks each invocation up here by
/// function name, and refuses an HTTP function that is not listed. Tests compare this table with the built
/// <c>functions.metadata</c> and with the routes the local host maps.
/// </summary>
public static class HttpFunctionRoutes
{
    /// <summary>host.json's <c>extensions.http.routePrefix</c>.</summary>
    public const string RoutePrefix = "api";

    public const string SubmitReferral = "SubmitReferral";
    public const string GetEngagement = "GetEngagement";
    public const string GetEngagementAudit = "GetEngagementAudit";
    public const string ListEngagements = "ListEngagements";
    public const string RecordAssessment = "RecordAssessment";
    public const string RecordContactAttempt = "RecordContactAttempt";
    public const string RecordReview = "RecordReview";
    public const string DecideClosureReview = "DecideClosureReview";
    public const string RequestClosure = "RequestClosure";
    public const string RecordPeerReview = "RecordPeerReview";
    public const string RecordConsent = "RecordConsent";
    public const string RevokeConsent = "RevokeConsent";
    public const string AddGoal = "AddGoal";
    public const string ChangeGoal = "ChangeGoal";
    public const string AddBarrier = "AddBarrier";
    public const string ChangeBarrier = "ChangeBarrier";
    public const string AddIntervention = "AddIntervention";
    public const string ChangeIntervention = "ChangeIntervention";
    public const string ShareCarePlan = "ShareCarePlan";
    public const string AddCareTeamMember = "AddCareTeamMember";
    public const string RecommendLevelOfCare = "RecommendLevelOfCare";
    public const string SearchCommunityResources = "SearchCommunityResources";
    public const string ShowProviderCarePlan = "ShowProviderCarePlan";
    public const string RecordProviderGoalAnswer = "RecordProviderGoalAnswer";
    public const string GetWorkQueue = "GetWorkQueue";
    public const string GetClaimsFileStatus = "GetClaimsFileStatus";
    public const string GetClaimsFileAcknowledgment = "GetClaimsFileAcknowledgment";
    public const string ShowProviderRequest = "ShowProviderRequest";
    public const string RecordProviderResponse = "RecordProviderResponse";
    public const string GetHealth = "GetHealth";
    public const string GetOutcomeReport = "GetOutcomeReport";
    public const string GetProviderScorecard = "GetProviderScorecard";
    public const string ShowProviderFeedback = "ShowProviderFeedback";
    public const string ShowDashboard = "ShowDashboard";
    public const string GetDashboardAsset = "GetDashboardAsset";

    public const string ReferralsRoute = "referrals";
    public const string EngagementsRoute = "engagements";
    public const string EngagementRoute = "engagements/{id}";
    public const string EngagementAuditRoute = "engagements/{id}/audit";
    public const string AssessmentRoute = "engagements/{id}/assessment";
    public const string ContactAttemptsRoute = "engagements/{id}/contact-attempts";
    public const string ReviewsRoute = "engagements/{id}/reviews";
    public const string ClosureReviewRoute = "engagements/{id}/closure-review";
    public const string ClosureRoute = "engagements/{id}/closure";
    public const string PeerReviewRoute = "engagements/{id}/outreach/{npi}/peer-review";
    public const string ConsentsRoute = "engagements/{id}/consents";
    public const string ConsentRevocationRoute = "engagements/{id}/consents/{itemId}/revocation";
    public const string GoalsRoute = "engagements/{id}/care-plan/goals";
    public const string GoalRoute = "engagements/{id}/care-plan/goals/{itemId}";
    public const string BarriersRoute = "engagements/{id}/care-plan/barriers";
    public const string BarrierRoute = "engagements/{id}/care-plan/barriers/{itemId}";
    public const string InterventionsRoute = "engagements/{id}/care-plan/interventions";
    public const string InterventionRoute = "engagements/{id}/care-plan/interventions/{itemId}";
    public const string CarePlanShareRoute = "engagements/{id}/care-plan/share";
    public const string CareTeamRoute = "engagements/{id}/care-team";
    public const string LevelOfCareRoute = "engagements/{id}/care-plan/level-of-care";
    public const string CommunityResourcesRoute = "community-resources";
    public const string ProviderCarePlanRoute = "provider-responses/{token}/care-plan";
    public const string QueueRoute = "queue";
    public const string ClaimsFileRoute = "claims/files/{id}";
    public const string ClaimsFileAcknowledgmentRoute = "claims/files/{id}/acknowledgment";
    public const string ProviderResponseRoute = "provider-responses/{token}";
    public const string HealthRoute = "health";
    public const string OutcomeReportRoute = "reports/outcomes";
    public const string ProviderScorecardRoute = "reports/providers/{npi}";
    public const string ProviderFeedbackRoute = "provider-feedback/{token}";
    public const string DashboardRoute = "dashboard";
    public const string DashboardAssetRoute = "dashboard/assets/{name}";

    /// <summary>An engagement id as the local route constraint accepts it: 32 hexadecimal digits.</summary>
    public static bool IsEngagementId(string value) => value is { Length: 32 } && value.All(char.IsAsciiHexDigit);

    /// <summary>A claims file id as the local route constraint accepts it: 64 lower-case hexadecimal digits (SHA-256).</summary>
    public static bool IsClaimsFileId(string value) => value is { Length: 64 } && value.All(char.IsAsciiHexDigitLower);

    /// <summary>A care-plan item id as the local route constraint accepts it: an upper-case letter and 1-4 digits, no leading zero (C1, G12).</summary>
    public static bool IsItemId(string value) =>
        value is { Length: >= 2 and <= 5 } && char.IsAsciiLetterUpper(value[0]) && value[1] != '0' && value[1..].All(char.IsAsciiDigit);

    private static readonly IReadOnlyDictionary<string, Func<string, bool>> Nothing = FrozenDictionary<string, Func<string, bool>>.Empty;

    private static readonly IReadOnlyDictionary<string, Func<string, bool>> EngagementIdValue =
        new Dictionary<string, Func<string, bool>>(StringComparer.OrdinalIgnoreCase) { ["id"] = IsEngagementId }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly IReadOnlyDictionary<string, Func<string, bool>> EngagementAndItemIdValues =
        new Dictionary<string, Func<string, bool>>(StringComparer.OrdinalIgnoreCase) { ["id"] = IsEngagementId, ["itemId"] = IsItemId }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly IReadOnlyDictionary<string, Func<string, bool>> ClaimsFileIdValue =
        new Dictionary<string, Func<string, bool>>(StringComparer.OrdinalIgnoreCase) { ["id"] = IsClaimsFileId }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every HTTP function, by name.</summary>
    public static IReadOnlyDictionary<string, HttpFunctionRoute> All { get; } = new HttpFunctionRoute[]
    {
        new(SubmitReferral, "POST", ReferralsRoute, HttpAccess.ReferralSubmitter, Nothing),
        new(GetEngagement, "GET", EngagementRoute, HttpAccess.Staff, EngagementIdValue),
        new(GetEngagementAudit, "GET", EngagementAuditRoute, HttpAccess.Staff, EngagementIdValue),
        new(ListEngagements, "GET", EngagementsRoute, HttpAccess.Staff, Nothing),
        new(RecordAssessment, "POST", AssessmentRoute, HttpAccess.Staff, EngagementIdValue),
        new(RecordContactAttempt, "POST", ContactAttemptsRoute, HttpAccess.Staff, EngagementIdValue),
        new(RecordReview, "POST", ReviewsRoute, HttpAccess.Staff, EngagementIdValue),
        new(DecideClosureReview, "POST", ClosureReviewRoute, HttpAccess.Staff, EngagementIdValue),
        new(RequestClosure, "POST", ClosureRoute, HttpAccess.Staff, EngagementIdValue),
        new(RecordPeerReview, "POST", PeerReviewRoute, HttpAccess.Staff, EngagementIdValue),
        new(RecordConsent, "POST", ConsentsRoute, HttpAccess.Staff, EngagementIdValue),
        new(RevokeConsent, "POST", ConsentRevocationRoute, HttpAccess.Staff, EngagementAndItemIdValues),
        new(AddGoal, "POST", GoalsRoute, HttpAccess.Staff, EngagementIdValue),
        new(ChangeGoal, "POST", GoalRoute, HttpAccess.Staff, EngagementAndItemIdValues),
        new(AddBarrier, "POST", BarriersRoute, HttpAccess.Staff, EngagementIdValue),
        new(ChangeBarrier, "POST", BarrierRoute, HttpAccess.Staff, EngagementAndItemIdValues),
        new(AddIntervention, "POST", InterventionsRoute, HttpAccess.Staff, EngagementIdValue),
        new(ChangeIntervention, "POST", InterventionRoute, HttpAccess.Staff, EngagementAndItemIdValues),
        new(ShareCarePlan, "POST", CarePlanShareRoute, HttpAccess.Staff, EngagementIdValue),
        new(AddCareTeamMember, "POST", CareTeamRoute, HttpAccess.Staff, EngagementIdValue),
        new(RecommendLevelOfCare, "POST", LevelOfCareRoute, HttpAccess.Staff, EngagementIdValue),
        new(SearchCommunityResources, "GET", CommunityResourcesRoute, HttpAccess.Staff, Nothing),
        new(ShowProviderCarePlan, "GET", ProviderCarePlanRoute, HttpAccess.ProviderLink, Nothing),
        new(RecordProviderGoalAnswer, "POST", ProviderCarePlanRoute, HttpAccess.ProviderLink, Nothing),
        new(GetWorkQueue, "GET", QueueRoute, HttpAccess.Staff, Nothing),
        new(GetClaimsFileStatus, "GET", ClaimsFileRoute, HttpAccess.Staff, ClaimsFileIdValue),
        new(GetClaimsFileAcknowledgment, "GET", ClaimsFileAcknowledgmentRoute, HttpAccess.Staff, ClaimsFileIdValue),
        new(ShowProviderRequest, "GET", ProviderResponseRoute, HttpAccess.ProviderLink, Nothing),
        new(RecordProviderResponse, "POST", ProviderResponseRoute, HttpAccess.ProviderLink, Nothing),
        new(GetHealth, "GET", HealthRoute, HttpAccess.Anonymous, Nothing),
        new(GetOutcomeReport, "GET", OutcomeReportRoute, HttpAccess.Staff, Nothing),
        new(GetProviderScorecard, "GET", ProviderScorecardRoute, HttpAccess.Staff, Nothing),
        new(ShowProviderFeedback, "GET", ProviderFeedbackRoute, HttpAccess.ProviderLink, Nothing),
        new(ShowDashboard, "GET", DashboardRoute, HttpAccess.Anonymous, Nothing),
        new(GetDashboardAsset, "GET", DashboardAssetRoute, HttpAccess.Anonymous, Nothing),
    }.ToFrozenDictionary(r => r.Name, StringComparer.Ordinal);
}
