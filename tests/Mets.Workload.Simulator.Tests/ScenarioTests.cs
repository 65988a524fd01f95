using System.Text.Json.Nodes;

namespace Mets.Workload.Simulator.Tests;

public class ScenarioTests
{
    private static readonly string DefaultScenarioPath = Path.Combine(AppContext.BaseDirectory, "scenario.json");

    [Fact]
    public void Load_CheckedInDefaults_AreValid()
    {
        var scenario = Scenario.Load(DefaultScenarioPath);

        Assert.Equal(10_000, scenario.Members);
        Assert.Equal(52, scenario.Weeks);
        Assert.Empty(scenario.Validate());
        Assert.Equal(new DateTimeOffset(2027, 1, 4, 0, 0, 0, TimeSpan.Zero), scenario.StartsAt);
    }

    [Theory]
    [InlineData("members", "0", "members must be between 1 and 1000000.")]
    [InlineData("referralWeeks", "60", "referralWeeks must be between 1 and 52.")]
    [InlineData("referrals.sources[0].share", "0.9", "referrals.sources: the shares must add up to 1.")]
    [InlineData("assessment.completedProbability", "0.9", "assessment.completedProbability + unableToReachProbability + declinedProbability must add up to at most 1.")]
    [InlineData("reviews.goalsMetProbability", "1.5", "reviews.goalsMetProbability must be between 0 and 1.")]
    [InlineData("providers.responseDelayDays[0].days", "-1", "providers.responseDelayDays[0].days must be between 0 and 3650.")]
    [InlineData("policy.HighRiskReviewIntervall", "\"10.00:00:00\"", "policy.HighRiskReviewIntervall is not a Mets:Policy setting.")]
    public void Parse_BadField_NamesTheFieldInTheError(string field, string value, string expected)
    {
        var json = WithField(File.ReadAllText(DefaultScenarioPath), field, value);

        var error = Assert.Throws<ScenarioException>(() => Scenario.Parse(json, "test.json"));

        Assert.StartsWith("test.json:", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingOrUnknownField_IsRefusedWithItsName()
    {
        var text = File.ReadAllText(DefaultScenarioPath);
        var missing = JsonNode.Parse(text, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        missing.Remove("seed");
        var unknown = JsonNode.Parse(text, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        unknown["reviewCadence"] = 3;

        Assert.Contains("seed", Assert.Throws<ScenarioException>(() => Scenario.Parse(missing.ToJsonString(), "a.json")).Message, StringComparison.Ordinal);
        Assert.Contains("reviewCadence", Assert.Throws<ScenarioException>(() => Scenario.Parse(unknown.ToJsonString(), "b.json")).Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON or not a scenario", Assert.Throws<ScenarioException>(() => Scenario.Parse("{ \"members\": ", "c.json")).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RunAsync_PolicyTheHostsWouldRefuse_IsAScenarioErrorNamingTheSetting()
    {
        var scenario = Scenario.Load(DefaultScenarioPath) with { Members = 1, Weeks = 1, ReferralWeeks = 1 };

        var bad = await Assert.ThrowsAsync<ScenarioException>(() => WorkloadSimulation.RunAsync(
            scenario, new SimulationOptions { PolicyOverrides = new Dictionary<string, string> { ["ModerateRiskReviewInterval"] = "100.00:00:00" } }));
        var unreadable = await Assert.ThrowsAsync<ScenarioException>(() => WorkloadSimulation.RunAsync(
            scenario, new SimulationOptions { PolicyOverrides = new Dictionary<string, string> { ["ProviderReminderCount"] = "three" } }));

        Assert.Contains("Mets:Policy:HighRiskReviewInterval <= Mets:Policy:ModerateRiskReviewInterval <= Mets:Policy:LowRiskReviewInterval", bad.Message, StringComparison.Ordinal);
        Assert.Contains("ProviderReminderCount", unreadable.Message, StringComparison.Ordinal);
    }

    /// <summary>Sets a field given as a dotted path with [index] parts, in the JSON text of a scenario.</summary>
    private static string WithField(string json, string path, string value)
    {
        var root = JsonNode.Parse(json, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        JsonNode node = root;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            var last = i == parts.Length - 1;
            if (bracket < 0 && last)
            {
                node[name] = JsonNode.Parse(value);
                break;
            }

            node = node[name]!;
            if (bracket >= 0)
            {
                var index = int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
                if (last)
                {
                    node[index] = JsonNode.Parse(value);
                    break;
                }

                node = node[index]!;
            }
        }

        return root.ToJsonString();
    }
}
