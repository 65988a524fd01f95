using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Mets.Workflow.Reports;
using Mets.Workflow.Reports.Feedback;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mets.Api.Reports;

/// <summary>
/// The provider's scorecard page behind the signed feedback link: the scorecard's sections as accessible tables
/// (caption, column headers), aggregates only, no scripts, nothing external. Suppressed figures read "fewer than N".
/// </summary>
internal static class ScorecardPage
{
    public static string Render(ProviderScorecard card)
    {
        var body = new StringBuilder();
        body.Append("<h1>METS provider feedback</h1><p>NPI ").Append(Encode(card.Npi)).Append(", engagements started ")
            .Append(card.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(" to ")
            .Append(card.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(", as of ")
            .Append(card.AsOf.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(". Claims complete through ")
            .Append(Encode(card.RunOut.CompleteThrough)).Append(".</p>");
        foreach (var section in card.Sections)
        {
            body.Append("<table><caption>").Append(Encode(section.Title)).Append("<br><small>").Append(Encode(section.Note)).Append("</small></caption>")
                .Append("<thead><tr><th scope=\"col\">Figure</th><th scope=\"col\">Value</th></tr></thead><tbody>");
            foreach (var figure in section.Figures)
            {
                body.Append("<tr><th scope=\"row\">").Append(Encode(figure.Label)).Append("</th><td data-key=\"").Append(Encode(figure.Key)).Append("\">")
                    .Append(Encode(Show(figure, card.MinimumCellCount))).Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        body.Append("<h2>How these figures are made</h2><p>").Append(Encode(card.Method)).Append("</p>");
        return Layout(body.ToString());
    }

    public static string Message(string title, string text) => Layout($"<h1>{Encode(title)}</h1><p>{Encode(text)}</p>");

    /// <summary>A figure as the page shows it: suppressed ones as "fewer than N", missing ones as "not available".</summary>
    public static string Show(ReportFigure figure, int minimum) =>
        figure.Suppressed ? $"fewer than {minimum.ToString(CultureInfo.InvariantCulture)} (suppressed)"
        : figure.Value is null ? "not available"
        : figure.Unit switch
        {
            FigureUnit.Dollars => "$" + figure.Value.Value.ToString("#,0.00", CultureInfo.InvariantCulture),
            FigureUnit.Percent => figure.Display + " %",
            FigureUnit.Percentile => figure.Display + "th percentile",
            _ => figure.Display,
        };

    /// <summary>HTML for a page whose URL is a credential: the provider link page's headers (no caching, no referrer, nothing external, no framing).</summary>
    public static ContentHttpResult Html(HttpContext context, int status, string html) =>
        ProviderResponses.ProviderResponseEndpoints.Html(context, status, html);

    private static string Layout(string body) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
        "<title>METS provider feedback</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}" +
        "table{border-collapse:collapse;margin:1.5rem 0;width:100%}caption{text-align:left;font-weight:600;font-size:1.1rem}th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left}" +
        "td{text-align:right;white-space:nowrap}</style></head><body><main>" + body + "</main></body></html>";

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
