using Mets.Durable.Conformance.Tests.Scenarios;
using Microsoft.DurableTask;

namespace Mets.Durable.Conformance.Tests.Runtimes;

/// <summary>
/// Starts every runtime once for the collection, each with the union of all scenarios' orchestrators and activities.
/// </summary>
public sealed class DurableRuntimesFixture : IAsyncLifetime
{
    /// <summary>
    /// The runtimes every scenario runs on. The first is the reference (Microsoft's runtime) the others are compared
    /// with; add the embedded engine's starter after it.
    /// </summary>
    public static readonly IReadOnlyList<DurableRuntimeStarter> Starters =
    [
        InProcessTestHostRuntime.StartAsync,
        EmbeddedEngineRuntime.StartAsync,
    ];

    private readonly List<IDurableRuntime> runtimes = [];

    /// <summary>Gets the started runtimes, the reference first.</summary>
    public IReadOnlyList<IDurableRuntime> Runtimes => runtimes;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var start in Starters)
        {
            runtimes.Add(await start(RegisterAll, timeout.Token));
        }
    }

    /// <summary>Registers every scenario's tasks and those of <see cref="InProcessTestHostTests"/>.</summary>
    /// <param name="registry">The registry.</param>
    public static void RegisterAll(DurableTaskRegistry registry)
    {
        ScenarioCatalog.RegisterAll(registry);
        InProcessTestHostTests.Register(registry);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var runtime in runtimes)
        {
            await runtime.DisposeAsync();
        }
    }
}

/// <summary>The one collection: the runtimes are shared, so the tests using them run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DurableRuntimesGroup : ICollectionFixture<DurableRuntimesFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Durable runtimes";
}
