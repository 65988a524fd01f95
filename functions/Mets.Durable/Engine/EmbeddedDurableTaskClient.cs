using Mets.Durable.Storage;

namespace Mets.Durable.Engine;

/// <summary>The embedded engine's client: writes messages to the store and wakes the engine.</summary>
internal sealed class EmbeddedDurableTaskClient(DurableEngine engine, IOrchestrationStore store, DataConverter converter, TimeProvider time)
    : DurableTaskClient("embedded")
{
    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName,
        object? input = null,
        StartOrchestrationOptions? options = null,
        CancellationToken cancellation = default)
    {
        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var now = time.GetUtcNow().UtcDateTime;
        var executionId = Guid.NewGuid().ToString("N");
        var serialized = converter.Serialize(input);
        var instance = new InstanceRecord(instanceId, orchestratorName.Name)
        {
            ExecutionId = executionId,
            Input = serialized,
            CreatedAt = now,
            LastUpdatedAt = now,
        };
        var start = new HistoryEvent(HistoryEventType.ExecutionStarted, now) { Name = orchestratorName.Name, Input = serialized, ExecutionId = executionId };
        await store.CreateInstanceAsync(instance, start, cancellation).ConfigureAwait(false);
        engine.NotifyNewMessages();
        return instanceId;
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        return EnqueueAsync(instanceId, new HistoryEvent(HistoryEventType.EventRaised, Now()) { Name = eventName, Input = converter.Serialize(eventPayload) }, cancellation);
    }

    public override async Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        var instance = await store.GetInstanceAsync(instanceId, cancellation).ConfigureAwait(false);
        return instance is null ? null : ToMetadata(instance, getInputsAndOutputs);
    }

    public override async Task<OrchestrationQueryPage> QueryInstancesAsync(OrchestrationQuery query, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        var records = await store.QueryInstancesAsync(
            new InstanceQuery(query.CreatedFrom?.UtcDateTime, query.CreatedTo?.UtcDateTime, query.Statuses, query.InstanceIdPrefix, query.PageSize + 1, query.ContinuationToken),
            cancellation).ConfigureAwait(false);
        var page = records.Take(query.PageSize).Select(r => ToMetadata(r, query.FetchInputsAndOutputs)).ToList();
        return new OrchestrationQueryPage(page, records.Count > query.PageSize ? page[^1].InstanceId : null);
    }

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        WaitUntilAsync(instanceId, getInputsAndOutputs, m => m.RuntimeStatus != OrchestrationRuntimeStatus.Pending, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        WaitUntilAsync(instanceId, getInputsAndOutputs, m => m.IsCompleted, cancellation);

    public override async Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new TerminateInstanceOptions();
        await EnqueueAsync(instanceId, new HistoryEvent(HistoryEventType.ExecutionTerminated, Now()) { Input = converter.Serialize(options.Output) }, cancellation).ConfigureAwait(false);
        if (options.Recursive)
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
        EnqueueAsync(instanceId, new HistoryEvent(HistoryEventType.ExecutionSuspended, Now()) { Reason = reason }, cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        EnqueueAsync(instanceId, new HistoryEvent(HistoryEventType.ExecutionResumed, Now()) { Reason = reason }, cancellation);

    public override async Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        var ids = new List<string> { instanceId };
        if (options?.Recursive == true)
        {
            ids.AddRange(await DescendantsAsync(instanceId, cancellation).ConfigureAwait(false));
        }

        var purged = await store.PurgeInstancesAsync(ids, cancellation).ConfigureAwait(false);
        engine.NotifyNewMessages();
        return new PurgeResult(purged);
    }

    public override async Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        OrchestrationRuntimeStatus[] terminal = [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];
        var statuses = filter.Statuses is { Count: > 0 } wanted ? terminal.Intersect(wanted).ToArray() : terminal;
        var total = 0;
        string? after = null;
        while (true)
        {
            var page = await store.QueryInstancesAsync(new InstanceQuery(filter.CreatedFrom?.UtcDateTime, filter.CreatedTo?.UtcDateTime, statuses, null, 500, after), cancellation).ConfigureAwait(false);
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

    public override Task<IReadOnlyList<HistoryEvent>> GetOrchestrationHistoryAsync(string instanceId, CancellationToken cancellation = default) =>
        store.GetHistoryAsync(instanceId, cancellation);

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private async Task EnqueueAsync(string instanceId, HistoryEvent message, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        if (!await store.EnqueueMessageAsync(instanceId, message, cancellation).ConfigureAwait(false))
        {
            throw new OrchestrationNotFoundException(instanceId);
        }

        engine.NotifyNewMessages();
    }

    private async Task<IReadOnlyList<InstanceRecord>> ChildrenAsync(string instanceId, CancellationToken cancellation) =>
        await store.QueryInstancesAsync(new InstanceQuery(null, null, null, null, int.MaxValue, null, instanceId), cancellation).ConfigureAwait(false);

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
            var next = engine.Progress.Next;
            var metadata = await GetInstanceAsync(instanceId, getInputsAndOutputs, cancellation).ConfigureAwait(false)
                ?? throw new OrchestrationNotFoundException(instanceId);
            if (done(metadata))
            {
                return metadata;
            }

            await next.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    private OrchestrationMetadata ToMetadata(InstanceRecord r, bool withPayloads) => new(r.Name, r.InstanceId, converter)
    {
        RuntimeStatus = r.Status,
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc)),
        LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(r.LastUpdatedAt, DateTimeKind.Utc)),
        SerializedInput = withPayloads ? r.Input : null,
        SerializedOutput = withPayloads ? r.Output : null,
        SerializedCustomStatus = r.CustomStatus,
        FailureDetails = r.Failure,
        RequestedInputsAndOutputs = withPayloads,
    };
}
