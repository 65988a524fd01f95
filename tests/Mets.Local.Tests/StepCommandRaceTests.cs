using System.Net;
using System.Text.Json;
using Mets.Local.Tests.Hosting;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests;

/// <summary>
/// Answers to one step sent at the same moment, against the built host: the first answer wins, the same answer again
/// gets the first answer, a different one is refused with what was recorded, and the case keeps exactly the answer
/// that was confirmed. (Found by hand: two provider form posts a few milliseconds apart were both confirmed.)
/// </summary>
[Collection(HostProcessGroup.Name)]
public class StepCommandRaceTests
{
    private static readonly (string Json, string Page)[] ProviderAnswers =
    [
        ("willCollaborate", "I will collaborate"),
        ("declinedToCollaborate", "I decline to collaborate"),
    ];

    [Fact]
    public async Task SimultaneousAnswersToOneStep_OneIsRecorded_TheOtherIsToldWhich()
    {
        await using var host = await LocalHostProcess.StartAsync();
        using var client = host.CreateClient();
        var key = host.ApiKey;
        var (_, accepted, _) = await PostJsonAsync(client, "/api/referrals", key, EngagementLifecycleTests.Referral("REF-RACE-1", "PLAN:M000777"));
        var id = accepted.GetProperty("id").GetString()!;
        await WaitForStepAsync(client, key, id, "assessment", diagnostics: () => host.Output);

        // The same assessment twice at once: both get the first answer.
        var assessments = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            PostJsonAsync(client, $"/api/engagements/{id}/assessment", key, EngagementLifecycleTests.Assessment)));
        Assert.All(assessments, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        await WaitForStepAsync(client, key, id, "review", 1, () => host.Output);

        // Two different provider answers through the page at once: one is confirmed, the other is refused naming it.
        var link = ProviderLinkPath(await WaitForEmailAsync(host.DataFolder, "-request", () => host.Output));
        var posts = await Task.WhenAll(ProviderAnswers.Select(async answer =>
        {
            using var response = await client.PostAsync(new Uri(link, UriKind.Relative), Form(("response", answer.Json)));
            return (answer, response.StatusCode, Html: await response.Content.ReadAsStringAsync());
        }));
        var confirmed = Assert.Single(posts, p => p.StatusCode == HttpStatusCode.OK);
        var refused = Assert.Single(posts, p => p.StatusCode == HttpStatusCode.Conflict);
        Assert.Contains("Your response was recorded: " + confirmed.answer.Page, confirmed.Html, StringComparison.Ordinal);
        Assert.Contains("Response already recorded", refused.Html, StringComparison.Ordinal);
        Assert.Contains("The response recorded for this request: " + confirmed.answer.Page, refused.Html, StringComparison.Ordinal);

        var engagement = await WaitForAsync<JsonElement?>(async () =>
        {
            var read = await GetJsonAsync(client, $"/api/engagements/{id}", key);
            return read.GetProperty("outreach")[0].GetProperty("response").ValueKind == JsonValueKind.String ? read : null;
        }, TimeSpan.FromSeconds(30), "the provider response on the case", () => host.Output);
        Assert.Equal(confirmed.answer.Json, engagement!.Value.GetProperty("outreach")[0].GetProperty("response").GetString());

        // The same answer again later is refused too (a link answers once), showing the recorded answer.
        using (var again = await client.PostAsync(new Uri(link, UriKind.Relative), Form(("response", confirmed.answer.Json))))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains(confirmed.answer.Page, await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Two different review 1 submissions at once: one 202, one 409 DifferentCommandRecorded; the winner repeated gets 202.
        string[] reviews = ["""{ "reviewNumber": 1, "rescreen": { "phq9": [0,1,0,1,0,1,0,0,0] } }""", """{ "reviewNumber": 1, "rescreen": { "phq9": [2,2,2,2,2,2,2,2,2] } }"""];
        var reviewed = await Task.WhenAll(reviews.Select(async body => (body, Result: await PostJsonAsync(client, $"/api/engagements/{id}/reviews", key, body))));
        var reviewWinner = Assert.Single(reviewed, r => r.Result.Status == HttpStatusCode.Accepted);
        var reviewLoser = Assert.Single(reviewed, r => r.Result.Status == HttpStatusCode.Conflict);
        Assert.Equal("DifferentCommandRecorded", reviewLoser.Result.Body.GetProperty("code").GetString());
        var (repeated, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/reviews", key, reviewWinner.body);
        Assert.Equal(HttpStatusCode.Accepted, repeated);
        await WaitForStepAsync(client, key, id, "review", 2, () => host.Output);
    }
}
