using Mets.Durable.Storage;
using Microsoft.Extensions.Options;
using CoreHistory = DurableTask.Core.History;

namespace Mets.Durable.Engine;

/// <summary>
/// The embedded engine's <see cref="DurableTaskClient"/>, selected with <c>UseEmbeddedEngine()</c> on the
/// client builder: it writes messages to the <see cref="EmbeddedTaskHub"/>'s store and wakes the worker.
/// Shapes and defaults are Microsoft's: an id whose instance is Pending, Running or Suspended is refused
/// unless <see cref="StartOrchestrationOptions.DedupeStatuses"/> says otherwise (the Durable Functions host's
/// default, OverridableExistingInstanceStates = NonRunningStates); termination is not recursive unless asked.
/// </summary>
public sealed class EmbeddedDurableTaskClient : DurableTaskClient
{
    /// <summary>What the Durable Functions host refuses to overwrite by default.</summary>
    private static readonly OrchestrationRuntimeStatus[] RunningStatuses =
        [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];

    private static readonly OrchestrationRuntimeStatus[] TerminalStatuses =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    private readonly EmbeddedTaskHub _hub;
    private readonly IOrchestrationStore _store;

    public EmbeddedDurableTaskClient(string name, EmbeddedTaskHub hub, IOptionsMonitor<DurableTaskClientOptions> options)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(options);
        _hub = hub;
        _store = hub.Store;
        Converter = options.Get(name).DataConverter;
    }

    /// <summary>The serializer of inputs, event payloads and termination outputs (the client options').</summary>
    public DataConverter Converter { get; }

    /// <summary>The store and clock this client writes to (for history export and test harnesses).</summary>
    public EmbeddedTaskHub Hub => _hub;

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName,
        object? input = null,
        StartOrchestrationOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orchestratorName.Name, nameof(orchestratorName));
        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId, nameof(options));
        if (options?.StartAt is not null)
        {
            throw new NotSupportedException("The embedded engine does not support StartOrchestrationOptions.StartAt; start the instance and let it wait on a durable timer.");
        }

        var dedupe = DedupeStatuses(options?.DedupeStatuses);
        await _hub.EnsureInitializedAsync(cancellation).ConfigureAwait(false);
        var now = _hub.UtcNow();
        var executionId = Guid.NewGuid().ToString("N");
        var serialized = Converter.Serialize(input);
        var instance = new InstanceRecord(instanceId, orchestratorName.Name)
        {
            ExecutionId = executionId,
            Input = serialized,
            CreatedAt = now,
            LastUpdatedAt = now,
        };
        var start = new StoredEvent(StoredEventKind.ExecutionStarted, now) { Name = orchestratorName.Name, Input = serialized, ExecutionId = executionId };
        await _store.CreateInstanceAsync(instance, start, dedupe, cancellation).ConfigureAwait(false);
        _hub.NotifyNewMessages();
        return instanceId;
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        return EnqueueAsync(instanceId, new StoredEvent(StoredEventKind.EventRaised, Now()) { Name = eventName, Input = Converter.Serialize(eventPayload) }, cancellation);
    }

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        await _hub.EnsureInitializedAsync(cancellation).ConfigureAwait(false);
        var instance = await _store.GetInstanceAsync(instanceId, cancellation).ConfigureAwait(false);
        return instance is null ? null : ToMetadata(instance, getInputsAndOutputs);
    }

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null)
    {
        var query = filter ?? new OrchestrationQuery();
        return Pageable.Create<OrchestrationMetadata>(async (continuation, pageSize, cancellation) =>
        {
            var size = pageSize ?? query.PageSize;
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
            await _hub.EnsureInitializedAsync(cancellation).ConfigureAwait(false);
            var records = await _store.QueryInstancesAsync(
                new InstanceQuery(
                    query.CreatedFrom?.UtcDateTime,
                    query.CreatedTo?.UtcDateTime,
                    query.Statuses?.ToArray(),
                    query.InstanceIdPrefix,
                    size + 1,
                    continuation ?? query.ContinuationToken),
                cancellation).ConfigureAwait(false);
            var values = records.Take(size).Select(r => ToMetadata(r, query.FetchInputsAndOutputs)).ToList();
            return new Page<OrchestrationMetadata>(values, records.Count > size ? values[^1].InstanceId : null);
        });
    }

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        WaitUntilAsync(instanceId, getInputsAndOutputs, m => m.RuntimeStatus != OrchestrationRuntimeStatus.Pending, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        WaitUntilAsync(instanceId, getInputsAndOutputs, m => m.IsCompleted, cancellation);

    public override async Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        var output = options?.Output;
        await EnqueueAsync(instanceId, new StoredEvent(StoredEventKind.ExecutionTerminated, Now()) { Input = Converter.Serialize(output) }, cancellation).ConfigureAwait(false);
        if (options?.Recursive == true)
        {
            foreach (var child in await ChildrenAsync(instanceId, cancellation).ConfigureAwait(false))
            {
                if (!child.IsTerminal)
                {
                    await TerminateInstanceAsync(child.InstanceId, options, cancellation).ConfigureAwait(false);
                }
            }
        }
    }

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        EnqueueAsync(instanceId, new StoredEvent(StoredEventKind.ExecutionSuspended, Now()) { Reason = reason }, cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        EnqueueAsync(instanceId, new StoredEvent(StoredEventKind.ExecutionResumed, Now()) { Reason = reason }, cancellation);

    public override async Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        await _hub.EnsureInitializedAsync(cancellation).ConfigureAwait(false);
        var ids = new List<string> { instanceId };
        if (options?.Recursive == true)
        {
            ids.AddRange(await DescendantsAsync(instanceId, cancellation).ConfigureAwait(false));
        }

        var purged = await _store.PurgeInstancesAsync(ids, cancellation).ConfigureAwait(false);
        _hub.NotifyNewMessages();
        return new PurgeResult(purged);
    }

    public override async Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await _hub.EnsureInitializedAsync(cancellation).ConfigureAwait(false);
        var statuses = filter.Statuses?.Any() == true ? TerminalStatuses.Intersect(filter.Statuses).ToArray() : TerminalStatuses;
        var total = 0;
        string? after = null;
        while (true)
        {
            var page = await _store.QueryInstancesAsync(new InstanceQuery(filter.CreatedFrom?.UtcDateTime, filter.CreatedTo?.UtcDateTime, statuses, null, 500, after), cancellation).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var instance in page)
            {
                total += (await PurgeInstanceAsync(instance.InstanceId, options, cancellation).ConfigureAwait(false)).PurgedInstanceCount;
            }

            after = page[^1].InstanceId;
        }

        return new PurgeResult(total);
    }

    /// <summary>The instance's current-generation history as DurableTask.Core history events, oldest first.</summary>
    public override async Task<IList<CoreHistory.HistoryEvent>> GetOrchestrationHistoryAsync(string instanceId, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        await _hub.EnsureInitializedAsync(cancellation).ConfigureAwait(false);
        var instance = await _store.GetInstanceAsync(instanceId, cancellation).ConfigureAwait(false)
            ?? throw NotFound(instanceId);
        var stored = await _store.GetHistoryAsync(instanceId, cancellation).ConfigureAwait(false);
        return CoreHistoryMapping.ToCoreHistory(instance, stored);
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>What Microsoft's clients throw for an operation on an instance id that does not exist.</summary>
    private static ArgumentException NotFound(string instanceId) =>
        new($"An orchestration with the instanceId {instanceId} was not found.", nameof(instanceId));

    private static OrchestrationRuntimeStatus[] DedupeStatuses(IReadOnlyList<string>? requested)
    {
        if (requested is null)
        {
            return RunningStatuses;
        }

        var statuses = requested.Select(s => Enum.TryParse<OrchestrationRuntimeStatus>(s, ignoreCase: true, out var status)
            ? status
            : throw new ArgumentException($"Invalid orchestration runtime status: '{s}' for deduplication.", nameof(requested))).Distinct().ToArray();
        if (statuses.Contains(OrchestrationRuntimeStatus.Terminated) && RunningStatuses.Any(r => !statuses.Contains(r)))
        {
            throw new ArgumentException(
                "DedupeStatuses contains 'Terminated' but allows a running status to be reused: the running instance would be " +
                "terminated and the new one then refused.", nameof(requested));
        }

        return statuses;
    }

    private DateTime Now() => _hub.UtcNow();

    private async Task EnqueueAsync(string instanceId, StoredEvent message, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        await _hub.EnsureInitializedAsync(cancellation).ConfigureAwait(false);
        if (!await _store.EnqueueMessageAsync(instanceId, message, cancellation).ConfigureAwait(false))
        {
            throw NotFound(instanceId);
        }

        _hub.NotifyNewMessages();
    }

    private async Task<IReadOnlyList<InstanceRecord>> ChildrenAsync(string instanceId, CancellationToken cancellation) =>
        await _store.QueryInstancesAsync(new InstanceQuery(null, null, null, null, int.MaxValue, null, instanceId), cancellation).ConfigureAwait(false);

    private async Task<List<string>> DescendantsAsync(string instanceId, CancellationToken cancellation)
    {
        var result = new List<string>();
        foreach (var child in await ChildrenAsync(instanceId, cancellation).ConfigureAwait(false))
        {
            result.Add(child.InstanceId);
            result.AddRange(await DescendantsAsync(child.InstanceId, cancellation).ConfigureAwait(false));
        }

        return result;
    }

    private async Task<OrchestrationMetadata> WaitUntilAsync(string instanceId, bool getInputsAndOutputs, Func<OrchestrationMetadata, bool> done, CancellationToken cancellation)
    {
        while (true)
        {
            var next = _hub.Progress.Next;
            var metadata = await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation).ConfigureAwait(false)
                ?? throw NotFound(instanceId);
            if (done(metadata))
            {
                return metadata;
            }

            await next.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    private OrchestrationMetadata ToMetadata(InstanceRecord r, bool withPayloads) => new(r.Name, r.InstanceId)
    {
        DataConverter = withPayloads ? Converter : null,
        RuntimeStatus = r.Status,
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc)),
        LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(r.LastUpdatedAt, DateTimeKind.Utc)),
        SerializedInput = withPayloads ? r.Input : null,
        SerializedOutput = withPayloads ? r.Output : null,
        SerializedCustomStatus = withPayloads ? r.CustomStatus : null,
        FailureDetails = r.Failure,
    };
}
