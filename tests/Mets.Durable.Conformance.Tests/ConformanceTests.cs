using Mets.Durable.Conformance.Tests.Runtimes;
using Mets.Durable.Conformance.Tests.Scenarios;
using Xunit.Abstractions;

namespace Mets.Durable.Conformance.Tests;

/// <summary>
/// Runs every scenario on every runtime: each outcome must equal the scenario's expected outcome, and every runtime's
/// outcome must equal the reference runtime's except for the fields listed in <see cref="IntendedDifferences"/>.
/// </summary>
[Collection(DurableRuntimesGroup.Name)]
public class ConformanceTests(DurableRuntimesFixture fixture, ITestOutputHelper output)
{
    /// <summary>Gets every scenario's name.</summary>
    public static TheoryData<string> Scenarios { get; } = new(ScenarioCatalog.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task RunAsync_OnEveryRuntime_MatchesExpectedAndDiffersOnlyAsIntended(string scenario)
    {
        var subject = ScenarioCatalog.Get(scenario);
        List<(IDurableRuntime Runtime, ScenarioOutcome Outcome)> results = [];
        foreach (var runtime in fixture.Runtimes)
        {
            var outcome = await subject.RunAsync(runtime);
            output.WriteLine($"--- {runtime.Name} (reference: {subject.Reference})\n{outcome.Describe()}");
            results.Add((runtime, outcome));
        }

        foreach (var (runtime, outcome) in results)
        {
            var intended = IntendedDifferences.Find(scenario, runtime.Name);
            var excluded = intended?.Fields.Keys ?? [];
            var expected = subject.Expected.Describe(excluded);
            var actual = outcome.Describe(excluded);
            if (expected != actual)
            {
                Assert.Fail($"{runtime.Name}: {scenario} differs from its expected outcome.\n--- expected\n{expected}\n--- actual\n{actual}");
            }

            var rendered = outcome.Fields().ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
            foreach (var (field, value) in intended?.Fields.Where(f => f.Value is not null) ?? [])
            {
                Assert.True(
                    rendered.GetValueOrDefault(field) == value,
                    $"{runtime.Name}: {scenario}.{field} is {rendered.GetValueOrDefault(field) ?? "(absent)"}, the intended difference says {value}.");
            }
        }

        var reference = results[0];
        foreach (var (runtime, outcome) in results.Skip(1))
        {
            var declared = IntendedDifferences.Find(scenario, runtime.Name)?.Fields.Keys.Order(StringComparer.Ordinal).ToList() ?? [];
            var differing = reference.Outcome.DifferingFields(outcome);
            Assert.True(
                declared.SequenceEqual(differing),
                $"{runtime.Name} differs from {reference.Runtime.Name} in {scenario} on [{string.Join(", ", differing)}]; "
                + $"IntendedDifferences lists [{string.Join(", ", declared)}].");
        }
    }

    [Fact]
    public void IntendedDifferences_EveryEntry_NamesAScenarioAnotherRuntimeAndItsFields()
    {
        foreach (var difference in IntendedDifferences.All)
        {
            var scenario = ScenarioCatalog.All.SingleOrDefault(s => s.Name == difference.Scenario);
            Assert.True(scenario is not null, $"IntendedDifferences names an unknown scenario {difference.Scenario}.");
            Assert.NotEqual(RuntimeNames.InProcessTestHost, difference.Runtime);
            Assert.NotEmpty(difference.Fields);
            Assert.False(string.IsNullOrWhiteSpace(difference.Why));
            var fields = scenario.Expected.Fields().Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
            Assert.All(difference.Fields.Keys, f => Assert.Contains(f, fields));
        }

        Assert.Equal(
            IntendedDifferences.All.Count,
            IntendedDifferences.All.Select(d => (d.Scenario, d.Runtime)).Distinct().Count());
    }

    [Fact]
    public void ScenarioCatalog_All_HasUniqueNamesAndAReferenceEach()
    {
        Assert.True(ScenarioCatalog.All.Count >= 32, $"{ScenarioCatalog.All.Count} scenarios");
        Assert.Equal(ScenarioCatalog.All.Count, ScenarioCatalog.All.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(ScenarioCatalog.All, s => Assert.True(Enum.IsDefined(s.Reference)));
    }
}
