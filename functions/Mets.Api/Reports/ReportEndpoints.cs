using System.Globalization;
using System.Text;
using Mets.Api.Problems;
using Mets.Domain.Identifiers;
using Mets.Workflow.Links;
using Mets.Workflow.Reports;
using Mets.Workflow.Reports.Feedback;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Mets.Api.Reports;

/// <summary>
/// Outcome reports and provider scorecards for staff (<c>/api/reports/...</c>, behind the API's authentication), and
/// the provider's scorecard page behind the signed link in the feedback email (<c>/api/provider-feedback/{token}</c>,
/// anonymous, rate-limited). Aggregates only (docs/outcomes.md).
/// </summary>
public static class ReportEndpoints
{
    public const string CsvMediaType = "text/csv";

    public static RouteGroupBuilder MapReports(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var reports = api.MapGroup("/reports").WithTags("Reports");
        reports.MapGet("/outcomes", GetOutcomeReport)
            .WithName("GetOutcomeReport")
            .WithSummary("The outcome report for the engagements started from ?from= through ?to= (yyyy-MM-dd): JSON, or CSV with ?format=csv or Accept: text/csv.")
            .Produces<OutcomeReport>()
            .Produces(StatusCodes.Status200OK, contentType: CsvMediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        reports.MapGet("/providers/{npi}", GetProviderScorecard)
            .WithName("GetProviderScorecard")
            .WithSummary("A treating provider's scorecard (by NPI) over ?from= through ?to=: aggregates only.")
            .Produces<ProviderScorecard>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    public static RouteGroupBuilder MapProviderFeedback(this RouteGroupBuilder providerFeedback)
    {
        ArgumentNullException.ThrowIfNull(providerFeedback);
        providerFeedback.MapGet(string.Empty, ShowProviderFeedback)
            .WithName("ShowProviderFeedback")
            .WithSummary("The provider's scorecard page (HTML) behind the signed link in the feedback email.")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .Produces(StatusCodes.Status403Forbidden, contentType: "text/html");
        return providerFeedback;
    }

    internal static async Task<IResult> GetOutcomeReport(string? from, string? to, string? format, HttpContext context, [FromServices] OutcomeReportService reports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var errors = new FieldErrors();
        var csv = false;
        if (format is not null)
        {
            csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
            errors.Require(csv || string.Equals(format, "json", StringComparison.OrdinalIgnoreCase), "format", "must be json or csv.");
        }
        else
        {
            csv = context.Request.Headers.Accept.ToString().Contains(CsvMediaType, StringComparison.OrdinalIgnoreCase);
        }

        if (!errors.IsEmpty | !Period(from, to, errors, out var start, out var end) || !Valid(reports.ValidatePeriod(start, end), errors))
        {
            return errors.ToProblem("The query is not valid.");
        }

        var report = await reports.BuildAsync(start, end, cancellationToken);
        if (!csv)
        {
            return TypedResults.Ok(report);
        }

        context.Response.Headers.ContentDisposition = string.Create(CultureInfo.InvariantCulture, $"attachment; filename=\"mets-outcomes-{start:yyyyMMdd}-{end:yyyyMMdd}.csv\"");
        return TypedResults.Text(ReportCsv.Write(report), CsvMediaType + "; charset=utf-8", Encoding.UTF8);
    }

    internal static async Task<IResult> GetProviderScorecard(string npi, string? from, string? to, [FromServices] OutcomeReportService reports, [FromServices] ProviderScorecardService scorecards, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (!Npi.TryParse(npi, out var provider, out var reason))
        {
            errors.Add("npi", $"must be an NPI ({reason}).");
        }

        if (!Period(from, to, errors, out var start, out var end) || !Valid(reports.ValidatePeriod(start, end), errors) || !errors.IsEmpty)
        {
            return errors.ToProblem("The request is not valid.");
        }

        return TypedResults.Ok(await scorecards.BuildAsync(provider, start, end, cancellationToken));
    }

    internal static async Task<IResult> ShowProviderFeedback(string token, HttpContext context, [FromServices] ScorecardLinkSigner links, [FromServices] ProviderScorecardService scorecards, CancellationToken cancellationToken)
    {
        var rejection = links.Verify(token, out var link);
        if (rejection != ProviderLinkRejection.None || link is null)
        {
            return ScorecardPage.Html(context, StatusCodes.Status403Forbidden, ScorecardPage.Message("This link cannot be used",
                rejection == ProviderLinkRejection.Expired ? "The link has expired. A new one comes with your next METS feedback email." : "The link is not valid."));
        }

        var card = await scorecards.BuildAsync(link.Provider, link.From, link.To, cancellationToken);
        return ScorecardPage.Html(context, StatusCodes.Status200OK, ScorecardPage.Render(card));
    }

    /// <summary>Adds the period's problems to <paramref name="errors"/>; true when there are none.</summary>
    private static bool Valid(IReadOnlyList<(string Field, string Message)> problems, FieldErrors errors)
    {
        foreach (var (field, message) in problems)
        {
            errors.Add(field, message);
        }

        return problems.Count == 0;
    }

    private static bool Period(string? from, string? to, FieldErrors errors, out DateOnly start, out DateOnly end)
    {
        var ok = Date(from, "from", errors, out start);
        ok &= Date(to, "to", errors, out end);
        return ok;
    }

    private static bool Date(string? text, string name, FieldErrors errors, out DateOnly date)
    {
        date = default;
        if (string.IsNullOrEmpty(text))
        {
            errors.Add(name, "is required (yyyy-MM-dd).");
            return false;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            errors.Add(name, "must be a date (yyyy-MM-dd).");
            return false;
        }

        return true;
    }
}
