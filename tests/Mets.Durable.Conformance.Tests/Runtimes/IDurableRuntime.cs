using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Runtimes;

/// <summary>
/// One durable runtime the scenarios run on: started once per test collection with every scenario's orchestrators
/// and activities registered, and reached only through Microsoft's public client API plus the instance history.
/// </summary>
/// <remarks>
/// To add a runtime, write one class implementing this interface with a static method matching
/// <see cref="DurableRuntimeStarter"/>, and list that method in <see cref="DurableRuntimesFixture.Starters"/>.
/// </remarks>
public interface IDurableRuntime : IAsyncDisposable
{
    /// <summary>Gets the short, stable name <see cref="IntendedDifferences"/> refers to (see <see cref="RuntimeNames"/>).</summary>
    string Name { get; }

    /// <summary>Gets the client the scenarios schedule, raise, wait, suspend, terminate and query with.</summary>
    DurableTaskClient Client { get; }

    /// <summary>
    /// Gets the history of the instance's current execution, oldest first, as
    /// <see cref="DurableTaskClient.GetOrchestrationHistoryAsync"/> returns it on a backend that implements it.
    /// </summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="cancellation">Cancels the read.</param>
    /// <returns>The history events; empty when the instance has none.</returns>
    Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellation);
}

/// <summary>Starts a runtime with the given tasks registered.</summary>
/// <param name="registerTasks">Adds every scenario's orchestrators and activities to the runtime's registry.</param>
/// <param name="cancellation">Cancels the start.</param>
/// <returns>The started runtime; the fixture disposes it.</returns>
public delegate Task<IDurableRuntime> DurableRuntimeStarter(Action<DurableTaskRegistry> registerTasks, CancellationToken cancellation);

/// <summary>The runtime names the intended-differences table uses.</summary>
public static class RuntimeNames
{
    /// <summary>Microsoft.DurableTask.InProcessTestHost: Microsoft's runtime, the reference every other runtime is compared with.</summary>
    public const string InProcessTestHost = "InProcessTestHost";

    /// <summary>Our embedded engine (functions/Mets.Durable) behind Microsoft's SDK.</summary>
    public const string EmbeddedEngine = "EmbeddedEngine";
}
