using DurableTask.Core.Exceptions;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mets.Durable.Replay;

/// <summary>What replaying a recorded history against current code found.</summary>
public sealed record ReplayResult(string InstanceId, bool IsDeterministic, string? Problem)
{
    public override string ToString() => IsDeterministic ? $"{InstanceId}: deterministic" : $"{InstanceId}: {Problem}";
}

/// <summary>
/// Replays exported histories against the orchestrators registered now, without running activities or
/// timers, and reports non-determinism: a step that schedules something else than the history recorded,
/// a recorded step the code no longer reaches, or a completed instance whose replay ends differently.
/// Use it in tests to guard orchestrator changes against instances already in flight.
/// </summary>
public sealed class OrchestrationReplayer
{
    private readonly OrchestrationExecutor _executor;
    private readonly IServiceProvider _services;

    /// <summary>A replayer for the tasks <paramref name="register"/> adds to Microsoft's <see cref="DurableTaskRegistry"/>.</summary>
    /// <param name="register">Registers the orchestrators, as the host's <c>AddTasks</c> does.</param>
    /// <param name="converter">The serializer the histories were written with; Microsoft's JSON converter by default.</param>
    /// <param name="services">Services the orchestrators' constructors need.</param>
    public OrchestrationReplayer(Action<DurableTaskRegistry> register, DataConverter? converter = null, IServiceProvider? services = null)
        : this(BuildFactory(register), converter, services)
    {
    }

    public OrchestrationReplayer(IDurableTaskFactory factory, DataConverter? converter = null, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _executor = new OrchestrationExecutor(factory, converter ?? Microsoft.DurableTask.Converters.JsonDataConverter.Default, NullLoggerFactory.Instance);
        _services = services ?? new NoServices();
    }

    /// <summary>
    /// Microsoft's registry turns itself into an <see cref="IDurableTaskFactory"/> only for a worker its hosting
    /// builds; this builds a worker that does nothing but keep the factory it is given.
    /// </summary>
    private static IDurableTaskFactory BuildFactory(Action<DurableTaskRegistry> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        var services = new ServiceCollection();
        services.AddDurableTaskWorker(b => b.AddTasks(register).UseBuildTarget<FactoryKeeper>());
        using var provider = services.BuildServiceProvider();
        return provider.GetServices<IHostedService>().OfType<FactoryKeeper>().Single().TaskFactory;
    }

    public ReplayResult Replay(ExportedHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var started = history.Events.FirstOrDefault(e => e.EventType == StoredEventKind.ExecutionStarted);
        if (started is null)
        {
            return new ReplayResult(history.InstanceId, false, "The history has no ExecutionStarted event.");
        }

        var instance = new InstanceRecord(history.InstanceId, history.Name) { Input = started.Input, ParentInstanceId = history.ParentInstanceId };
        var recordedEnd = history.Events.LastOrDefault(e => e.EventType is StoredEventKind.ExecutionCompleted or StoredEventKind.ExecutionFailed);
        var replayed = history.Events.Where(e => e.EventType is not (StoredEventKind.ExecutionCompleted or StoredEventKind.ExecutionFailed)).ToList();
        var lastTime = replayed.Count == 0 ? DateTime.UnixEpoch : replayed.Max(e => e.Timestamp);
        var result = _executor.Execute(instance, replayed, [], lastTime, _services);

        if (result.Failure is { ErrorType: var type } failure && type == typeof(NonDeterministicOrchestrationException).FullName)
        {
            return new ReplayResult(history.InstanceId, false, failure.ErrorMessage);
        }

        if (recordedEnd is not null)
        {
            var recordedCompleted = recordedEnd.EventType == StoredEventKind.ExecutionCompleted;
            if (recordedCompleted && (result.Outcome != EpisodeOutcome.Completed || result.Output != recordedEnd.Result))
            {
                return new ReplayResult(history.InstanceId, false, $"The recorded instance completed with {recordedEnd.Result ?? "null"}; the replay ends {Describe(result)}.");
            }

            if (!recordedCompleted && result.Outcome != EpisodeOutcome.Failed)
            {
                return new ReplayResult(history.InstanceId, false, $"The recorded instance failed; the replay ends {Describe(result)}.");
            }
        }
        else if (result.Outcome == EpisodeOutcome.Failed)
        {
            return new ReplayResult(history.InstanceId, false, $"The recorded instance is still running; the replay fails: {result.Failure}.");
        }

        return new ReplayResult(history.InstanceId, true, null);
    }

    private static string Describe(EpisodeResult result) => result.Outcome switch
    {
        EpisodeOutcome.Completed => $"completed with {result.Output ?? "null"}",
        EpisodeOutcome.Failed => $"failed: {result.Failure}",
        EpisodeOutcome.ContinuedAsNew => "continuing as new",
        _ => "still waiting",
    };

    private sealed class FactoryKeeper(string? name, IDurableTaskFactory factory) : DurableTaskWorker(name, factory)
    {
        public IDurableTaskFactory TaskFactory => Factory;

        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
