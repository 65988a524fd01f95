using Microsoft.DurableTask;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>Every scenario in this assembly (any non-abstract <see cref="Scenario"/>), by name.</summary>
public static class ScenarioCatalog
{
    private static readonly Lazy<IReadOnlyList<Scenario>> Scenarios = new(() => typeof(Scenario).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Scenario)) && !t.IsAbstract)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .Select(t => (Scenario)Activator.CreateInstance(t)!)
        .ToList());

    /// <summary>Gets every scenario, ordered by name.</summary>
    public static IReadOnlyList<Scenario> All => Scenarios.Value;

    /// <summary>Gets a scenario by name.</summary>
    /// <param name="name">The scenario's name.</param>
    /// <returns>The scenario.</returns>
    public static Scenario Get(string name) => All.Single(s => s.Name == name);

    /// <summary>Registers the test signal activities and every scenario's orchestrators and activities.</summary>
    /// <param name="registry">The registry.</param>
    public static void RegisterAll(DurableTaskRegistry registry)
    {
        TestSignals.Register(registry);
        foreach (var scenario in All)
        {
            scenario.Register(registry);
        }
    }
}
