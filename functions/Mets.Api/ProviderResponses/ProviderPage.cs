using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Referrals;
using Mets.Workflow.Application;

namespace Mets.Api.ProviderResponses;

/// <summary>
/// The small, accessible HTML page behind a provider's signed link: what the request is about (the
/// provider's role, referral reasons, diagnosis codes; substance-use codes only with the member's
/// consent) and a form to respond while the request takes a response; afterwards only the recorded
/// response or that the request is closed, nothing clinical. No member name, id or date of birth; no
/// scripts, no external resources.
/// </summary>
internal static class ProviderPage
{
    public static string Request(ProviderRequestView view, string? notice = null)
    {
        var body = new StringBuilder();
        body.Append("<h1>METS collaboration request</h1>");
        if (notice is not null)
        {
            body.Append("<p role=\"status\" class=\"notice\">").Append(Encode(notice)).Append("</p>");
        }

        body.Append("<p>A METS care manager at the member's health plan asks you, as the member's ")
            .Append(Encode(Words(view.Role.ToString()).ToLowerInvariant()))
            .Append(" provider, to collaborate on the member's behavioral-health care plan.</p>");
        if (view.Request is not { } request)
        {
            // Answered, ended or the engagement closed: the page says so and shows nothing clinical.
            body.Append("<h2>Your response</h2><p>")
                .Append(view.RecordedResponse is { } recorded
                    ? "Recorded: <strong>" + Encode(Describe(recorded)) + "</strong>. Thank you."
                    : "This request is closed and no longer takes responses.")
                .Append("</p>");
            return Layout(body.ToString());
        }

        body.Append("<h2>About the request</h2><dl>");
        body.Append("<dt>Reasons for the referral</dt><dd>")
            .Append(Encode(string.Join(", ", request.ReferralReasons.Select(r => Words(r.ToString())))))
            .Append("</dd>");
        body.Append("<dt>Diagnosis codes (ICD-10-CM)</dt><dd>")
            .Append(request.DiagnosisCodes.Count == 0 ? "None shared" : Encode(string.Join(", ", request.DiagnosisCodes)))
            .Append("</dd>");
        body.Append("<dt>Open care gaps (HEDIS measures)</dt><dd>")
            .Append(request.OpenCareGaps.Count == 0 ? "None shared" : Encode(string.Join(", ", request.OpenCareGaps)))
            .Append("</dd>");
        body.Append("<dt>Link valid until</dt><dd>")
            .Append(Encode(view.LinkExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
            .Append("</dd></dl>");
        body.Append(SubstanceUse(request.Disclosures, request.WithheldBecause));

        body.Append("<form method=\"post\"><fieldset><legend>Your response</legend>");
        foreach (var response in Enum.GetValues<ProviderResponse>())
        {
            var value = JsonName(response);
            body.Append("<div><input type=\"radio\" name=\"response\" required id=\"r-").Append(value).Append("\" value=\"").Append(value).Append("\">")
                .Append("<label for=\"r-").Append(value).Append("\">").Append(Encode(Describe(response))).Append("</label></div>");
        }

        body.Append("</fieldset><button type=\"submit\">Send response</button></form>");
        return Layout(body.ToString());
    }

    /// <summary>
    /// The 42 CFR Part 2 part of a page: with each disclosure the 42 CFR 2.32 notice and the scope of the consent it went
    /// out under; when something was withheld, that it was and why (no member data either way).
    /// </summary>
    public static string SubstanceUse(IReadOnlyList<ConsentDisclosure> disclosures, ConsentCoverage? withheldBecause)
    {
        ArgumentNullException.ThrowIfNull(disclosures);
        var html = new StringBuilder();
        if (disclosures.Count > 0)
        {
            html.Append("<section aria-labelledby=\"part2\" class=\"notice\"><h2 id=\"part2\">Substance-use information: 42 CFR Part 2</h2>")
                .Append("<p>").Append(Encode(SubstanceUseDisclosure.Notice)).Append("</p>");
            foreach (var disclosure in disclosures)
            {
                html.Append("<p>").Append(Encode(disclosure.Scope)).Append("</p>");
            }

            html.Append("</section>");
        }

        if (withheldBecause is { } reason)
        {
            html.Append("<p>Some substance-use information is withheld (42 CFR Part 2): ").Append(Encode(WhyWithheld(reason))).Append("</p>");
        }

        return html.ToString();
    }

    private static string WhyWithheld(ConsentCoverage reason) => reason switch
    {
        ConsentCoverage.Revoked => "the member revoked the consent that covered it.",
        ConsentCoverage.Expired => "the member's consent to share it has expired.",
        ConsentCoverage.NotARecipient => "the member's consent does not name you as a recipient.",
        ConsentCoverage.PurposeNotCovered or ConsentCoverage.InformationNotCovered => "the member's consent does not cover sharing it with you for this purpose.",
        _ => "the member has not consented to share substance-use treatment information.",
    };

    public static string Message(string heading, string text) =>
        Layout($"<h1>{Encode(heading)}</h1><p>{Encode(text)}</p>");

    public static string Describe(ProviderResponse response) => response switch
    {
        ProviderResponse.WillCollaborate => "I will collaborate on the member's care",
        ProviderResponse.DeclinedToCollaborate => "I decline to collaborate",
        ProviderResponse.NotTreatingMember => "I am not treating this member",
        _ => "Unknown",
    };

    public static string JsonName(ProviderResponse response)
    {
        var name = response.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    internal static string Words(string pascal)
    {
        var words = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]) && !char.IsUpper(pascal[i - 1]))
            {
                words.Append(' ');
                words.Append(char.ToLowerInvariant(pascal[i]));
            }
            else
            {
                words.Append(pascal[i]);
            }
        }

        return words.ToString();
    }

    internal static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    internal static string Layout(string main, string title = "METS collaboration request") =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<meta name=\"referrer\" content=\"no-referrer\">"
        + "<title>" + Encode(title) + "</title>"
        + "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#111;background:#fff}"
        + "dt{font-weight:bold}dd{margin:0 0 .75rem 0}fieldset{border:1px solid #555;padding:1rem}"
        + "input,button{font-size:1rem;margin:.25rem .5rem .25rem 0}button{padding:.5rem 1rem}"
        + ":focus{outline:3px solid #1a5fb4;outline-offset:2px}.notice{border-left:4px solid #1a5fb4;padding-left:.75rem}</style>"
        + "</head><body><main>" + main + "</main></body></html>";
}
