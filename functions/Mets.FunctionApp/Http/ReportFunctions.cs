using Mets.Api.Dashboard;
using Mets.Api.Reports;
using Mets.Workflow.Reports;
using Mets.Workflow.Reports.Feedback;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary>
/// Outcome reports and provider scorecards (staff), the provider's scorecard page behind the signed feedback link
/// (anonymous, rate-limited) and the supervisors' dashboard page and assets (anonymous: they hold no data; the page
/// calls the API with the supervisor's token): Mets.Api's handlers.
/// </summary>
public static class ReportFunctions
{
    [Function(HttpFunctionRoutes.GetOutcomeReport)]
    public static Task<IResult> GetOutcomeReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.OutcomeReportRoute)] HttpRequest request,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return ReportEndpoints.GetOutcomeReport(HttpQuery.Text(request, "from"), HttpQuery.Text(request, "to"), HttpQuery.Text(request, "format"), request.HttpContext,
            context.InstanceServices.GetRequiredService<OutcomeReportService>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.GetProviderScorecard)]
    public static Task<IResult> GetProviderScorecard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.ProviderScorecardRoute)] HttpRequest request,
        string npi,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return ReportEndpoints.GetProviderScorecard(npi, HttpQuery.Text(request, "from"), HttpQuery.Text(request, "to"),
            context.InstanceServices.GetRequiredService<OutcomeReportService>(), context.InstanceServices.GetRequiredService<ProviderScorecardService>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.ShowProviderFeedback)]
    public static Task<IResult> ShowProviderFeedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.ProviderFeedbackRoute)] HttpRequest request,
        string token,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return ReportEndpoints.ShowProviderFeedback(token, request.HttpContext, context.InstanceServices.GetRequiredService<ScorecardLinkSigner>(),
            context.InstanceServices.GetRequiredService<ProviderScorecardService>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.ShowDashboard)]
    public static IResult ShowDashboard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.DashboardRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DashboardEndpoints.ShowDashboard(request.HttpContext);
    }

    [Function(HttpFunctionRoutes.GetDashboardAsset)]
    public static IResult GetDashboardAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.DashboardAssetRoute)] HttpRequest request,
        string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DashboardEndpoints.GetDashboardAsset(name, request.HttpContext);
    }
}
