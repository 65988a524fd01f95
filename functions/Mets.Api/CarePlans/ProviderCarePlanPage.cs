using System.Globalization;
using System.Text;
using Mets.Api.ProviderResponses;
using Mets.Domain.CarePlans;
using Mets.Workflow.CarePlans;

namespace Mets.Api.CarePlans;

/// <summary>
/// The care plan behind a provider's care-plan link: the goals agreed so far with a form per goal (agree, propose a
/// change, add a note), the latest level-of-care recommendation, and the 42 CFR Part 2 notice with each consent's scope
/// when substance-use goals are shown. No member name, id or birth date; no scripts, no external resources.
/// </summary>
internal static class ProviderCarePlanPage
{
    private const string Title = "METS care plan";

    public static string Plan(ProviderCarePlanView view, string? notice = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        var body = new StringBuilder();
        body.Append("<h1>METS care plan</h1>");
        if (notice is not null)
        {
            body.Append("<p role=\"status\" class=\"notice\">").Append(ProviderPage.Encode(notice)).Append("</p>");
        }

        body.Append("<p>The care plan a METS care manager agreed with the member, shared with you as the member's ")
            .Append(ProviderPage.Encode(ProviderPage.Words(view.Role.ToString()).ToLowerInvariant()))
            .Append(" provider. Link valid until ")
            .Append(ProviderPage.Encode(view.LinkExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
            .Append(".</p>");
        if (view.LevelOfCare is { } level)
        {
            body.Append("<h2>Level-of-care recommendation</h2><p>")
                .Append(ProviderPage.Encode(level.Direction == LevelOfCareDirection.StepDown ? "Step down" : "Step up"))
                .Append(" from ").Append(ProviderPage.Encode(ProviderPage.Words(level.From.ToString()).ToLowerInvariant()))
                .Append(" to ").Append(ProviderPage.Encode(ProviderPage.Words(level.To.ToString()).ToLowerInvariant()))
                .Append(". Reason: ").Append(ProviderPage.Encode(level.Reason)).Append("</p>");
        }

        body.Append("<h2>Goals agreed so far</h2>");
        if (view.Goals.Count == 0)
        {
            body.Append("<p>No goals are shared yet.</p>");
        }

        foreach (var goal in view.Goals)
        {
            body.Append("<section aria-labelledby=\"goal-").Append(goal.Id).Append("\"><h3 id=\"goal-").Append(goal.Id).Append("\">")
                .Append(ProviderPage.Encode(goal.Id)).Append(": ").Append(ProviderPage.Encode(goal.Description)).Append("</h3><dl>")
                .Append("<dt>Target</dt><dd>").Append(goal.Target.Length == 0 ? "Not set" : ProviderPage.Encode(goal.Target)).Append("</dd>")
                .Append("<dt>Target date</dt><dd>").Append(goal.TargetDate is { } date ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "Not set").Append("</dd>")
                .Append("<dt>Status</dt><dd>").Append(ProviderPage.Encode(ProviderPage.Words(goal.Status.ToString()))).Append("</dd></dl>");
            foreach (var answer in goal.YourAnswers)
            {
                body.Append("<p>You ").Append(ProviderPage.Encode(Describe(answer.Action))).Append(" on ")
                    .Append(answer.At.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                    .Append(answer.Text is { } text ? ": " + ProviderPage.Encode(text) : ".").Append("</p>");
            }

            body.Append("<form method=\"post\"><input type=\"hidden\" name=\"goal\" value=\"").Append(goal.Id).Append("\"><fieldset><legend>Your answer to ")
                .Append(goal.Id).Append("</legend>");
            foreach (var action in Enum.GetValues<ProviderGoalAction>())
            {
                var value = JsonName(action);
                body.Append("<div><input type=\"radio\" name=\"action\" required id=\"").Append(goal.Id).Append('-').Append(value).Append("\" value=\"").Append(value).Append("\">")
                    .Append("<label for=\"").Append(goal.Id).Append('-').Append(value).Append("\">").Append(ProviderPage.Encode(Label(action))).Append("</label></div>");
            }

            body.Append("<div><label for=\"").Append(goal.Id).Append("-text\">Proposed change or note</label><br><textarea id=\"").Append(goal.Id)
                .Append("-text\" name=\"text\" maxlength=\"").Append(ProviderGoalAnswer.MaxTextLength.ToString(CultureInfo.InvariantCulture))
                .Append("\" rows=\"3\" cols=\"50\"></textarea></div></fieldset><button type=\"submit\">Send</button></form></section>");
        }

        body.Append(ProviderPage.SubstanceUse(view.Disclosures, view.WithheldBecause));
        return ProviderPage.Layout(body.ToString(), Title);
    }

    public static string Message(string heading, string text) =>
        ProviderPage.Layout($"<h1>{ProviderPage.Encode(heading)}</h1><p>{ProviderPage.Encode(text)}</p>", Title);

    public static string JsonName(ProviderGoalAction action)
    {
        var name = action.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static string Label(ProviderGoalAction action) => action switch
    {
        ProviderGoalAction.Agreed => "I agree with this goal",
        ProviderGoalAction.ProposedChange => "I propose a change (write it below)",
        _ => "I add a note (write it below)",
    };

    private static string Describe(ProviderGoalAction action) => action switch
    {
        ProviderGoalAction.Agreed => "agreed",
        ProviderGoalAction.ProposedChange => "proposed a change",
        _ => "added a note",
    };
}
