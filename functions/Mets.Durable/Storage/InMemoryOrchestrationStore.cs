namespace Mets.Durable.Storage;

/// <summary>
/// The in-memory store for tests: same contract as the SQLite store. Payloads are JSON text produced by
/// the engine's one serializer, exactly as SQLite would hold them. One lock makes every method atomic.
/// </summary>
public sealed class InMemoryOrchestrationStore : IOrchestrationStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, InstanceRecord> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<StoredEvent>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<InboxMessage>> _inboxes = new(StringComparer.Ordinal);
    private readonly SortedSet<(long FirstMessageId, string InstanceId)> _readyOrder = [];
    private readonly SortedDictionary<long, ActivityWorkItem> _activities = [];
    private readonly SortedSet<(DateTime FireAt, long Id)> _timerOrder = [];
    private readonly Dictionary<long, (string InstanceId, string ExecutionId, int TimerId, DateTime FireAt)> _timers = [];

    // The open timers and pending activities of each instance, so that ending a generation, cancelling timers or
    // purging touches only that instance's, not every open one (a simulated year holds thousands, under the lock).
    private readonly Dictionary<string, HashSet<long>> _timersOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<long>> _activitiesOf = new(StringComparer.Ordinal);
    private long _nextId;

    public Task InitializeAsync(CancellationToken cancellation) => Task.CompletedTask;

    public Task CreateInstanceAsync(InstanceRecord instance, StoredEvent startEvent, IReadOnlyCollection<OrchestrationRuntimeStatus> dedupeStatuses, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(dedupeStatuses);
        lock (_gate)
        {
            CreateLocked(instance, startEvent, dedupeStatuses);
        }

        return Task.CompletedTask;
    }

    public Task<bool> EnqueueMessageAsync(string instanceId, StoredEvent message, CancellationToken cancellation)
    {
        lock (_gate)
        {
            if (!_instances.ContainsKey(instanceId))
            {
                return Task.FromResult(false);
            }

            EnqueueLocked(instanceId, message);
            return Task.FromResult(true);
        }
    }

    public Task<InstanceRecord?> GetInstanceAsync(string instanceId, CancellationToken cancellation)
    {
        lock (_gate)
        {
            return Task.FromResult(_instances.GetValueOrDefault(instanceId));
        }
    }

    public Task<IReadOnlyList<InstanceRecord>> QueryInstancesAsync(InstanceQuery query, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            IReadOnlyList<InstanceRecord> page = _instances.Values
                .Where(i => query.AfterInstanceId is null || string.CompareOrdinal(i.InstanceId, query.AfterInstanceId) > 0)
                .Where(i => Matches(i, query))
                .Take(query.PageSize)
                .ToList();
            return Task.FromResult(page);
        }
    }

    public Task<IReadOnlyList<StoredEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellation)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredEvent> history = _history.TryGetValue(instanceId, out var events) ? events.ToList() : [];
            return Task.FromResult(history);
        }
    }

    public Task<int> PurgeInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        lock (_gate)
        {
            var purged = 0;
            foreach (var id in instanceIds)
            {
                if (_instances.TryGetValue(id, out var instance) && instance.IsTerminal)
                {
                    RemoveLocked(id);
                    purged++;
                }
            }

            return Task.FromResult(purged);
        }
    }

    public Task<IReadOnlyList<OrchestrationWorkItem>> FetchOrchestrationWorkItemsAsync(int maxCount, IReadOnlySet<string> busyInstanceIds, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(busyInstanceIds);
        lock (_gate)
        {
            var items = new List<OrchestrationWorkItem>();
            foreach (var (_, instanceId) in _readyOrder)
            {
                if (items.Count >= maxCount)
                {
                    break;
                }

                if (busyInstanceIds.Contains(instanceId))
                {
                    continue;
                }

                var instance = _instances[instanceId];
                var inbox = _inboxes[instanceId];
                if (instance.Status == OrchestrationRuntimeStatus.Suspended && !inbox.Any(m => IsWakeUp(m.Event)))
                {
                    continue;
                }

                items.Add(new OrchestrationWorkItem(instance, _history.TryGetValue(instanceId, out var h) ? h.ToList() : [], inbox.ToList()));
            }

            return Task.FromResult<IReadOnlyList<OrchestrationWorkItem>>(items);
        }
    }

    public Task CommitOrchestrationsAsync(IReadOnlyList<OrchestrationCommit> commits, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(commits);
        lock (_gate)
        {
            foreach (var commit in commits)
            {
                CommitLocked(commit);
            }
        }

        return Task.CompletedTask;
    }

    private void CommitLocked(OrchestrationCommit commit)
    {
        var id = commit.Instance.InstanceId;
        if (!_instances.ContainsKey(id))
        {
            return; // purged meanwhile: nothing to apply
        }

        _instances[id] = commit.Instance;
        if (commit.ReplaceHistory || !_history.TryGetValue(id, out var history))
        {
            history = [];
            _history[id] = history;
        }

        history.AddRange(commit.AppendedHistory);

        if (_inboxes.TryGetValue(id, out var inbox) && commit.ConsumedMessageIds.Count > 0)
        {
            var consumed = commit.ConsumedMessageIds.ToHashSet();
            _readyOrder.Remove((inbox[0].Id, id));
            inbox.RemoveAll(m => consumed.Contains(m.Id));
            if (inbox.Count > 0)
            {
                _readyOrder.Add((inbox[0].Id, id));
            }
        }

        if (commit.ClearPendingWork)
        {
            RemovePendingWorkLocked(id);
        }
        else if (commit.CancelledTimerIds.Count > 0 && _timersOf.TryGetValue(id, out var open))
        {
            var cancelled = commit.CancelledTimerIds.ToHashSet();
            foreach (var key in open.Where(k => _timers[k].ExecutionId == commit.Instance.ExecutionId && cancelled.Contains(_timers[k].TimerId)).ToList())
            {
                RemoveTimerLocked(key);
            }
        }

        foreach (var activity in commit.NewActivities)
        {
            var activityId = ++_nextId;
            _activities[activityId] = new ActivityWorkItem(activityId, id, commit.Instance.ExecutionId, activity.TaskId, activity.Name, activity.Input);
            Of(_activitiesOf, id).Add(activityId);
        }

        foreach (var timer in commit.NewTimers)
        {
            var timerKey = ++_nextId;
            _timers[timerKey] = (id, commit.Instance.ExecutionId, timer.TimerId, timer.FireAt);
            Of(_timersOf, id).Add(timerKey);
            _timerOrder.Add((timer.FireAt, timerKey));
        }

        foreach (var child in commit.NewChildren)
        {
            if (_instances.TryGetValue(child.Instance.InstanceId, out var existing) && !existing.IsTerminal)
            {
                EnqueueLocked(id, ChildAlreadyExists(child, commit.Instance, existing));
                continue;
            }

            CreateLocked(child.Instance, child.StartEvent, []);
        }

        foreach (var message in commit.OutboundMessages)
        {
            if (_instances.ContainsKey(message.InstanceId))
            {
                EnqueueLocked(message.InstanceId, message.Event);
            }
        }
    }

    public Task<IReadOnlyList<ActivityWorkItem>> FetchActivityWorkItemsAsync(int maxCount, IReadOnlySet<long> dispatched, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(dispatched);
        lock (_gate)
        {
            IReadOnlyList<ActivityWorkItem> items = _activities.Values.Where(a => !dispatched.Contains(a.Id)).Take(maxCount).ToList();
            return Task.FromResult(items);
        }
    }

    public Task CompleteActivitiesAsync(IReadOnlyList<ActivityResult> results, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(results);
        lock (_gate)
        {
            foreach (var (item, result) in results)
            {
                if (RemoveActivityLocked(item.Id) && _instances.ContainsKey(item.InstanceId))
                {
                    EnqueueLocked(item.InstanceId, result);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<DateTime?> GetNextTimerDueAsync(CancellationToken cancellation)
    {
        lock (_gate)
        {
            return Task.FromResult<DateTime?>(_timerOrder.Count == 0 ? null : _timerOrder.Min.FireAt);
        }
    }

    public Task<int> FireDueTimersAsync(DateTime now, CancellationToken cancellation)
    {
        lock (_gate)
        {
            var fired = 0;
            while (_timerOrder.Count > 0 && _timerOrder.Min.FireAt <= now)
            {
                var (_, key) = _timerOrder.Min;
                var timer = _timers[key];
                RemoveTimerLocked(key);
                if (_instances.ContainsKey(timer.InstanceId))
                {
                    EnqueueLocked(timer.InstanceId, new StoredEvent(StoredEventKind.TimerFired, now)
                    {
                        TaskId = timer.TimerId,
                        FireAt = timer.FireAt,
                        ExecutionId = timer.ExecutionId,
                    });
                }

                fired++;
            }

            return Task.FromResult(fired);
        }
    }

    public Task<StoreWorkCounts> GetWorkCountsAsync(DateTime now, CancellationToken cancellation)
    {
        lock (_gate)
        {
            var ready = _readyOrder.Count(r =>
                _instances[r.InstanceId].Status != OrchestrationRuntimeStatus.Suspended || _inboxes[r.InstanceId].Any(m => IsWakeUp(m.Event)));
            // Timers are ordered by due time: count the due ones from the first and stop at the first not due, not
            // every open timer (a simulated year holds thousands, and this runs under the store's lock on every idle check).
            var due = 0;
            foreach (var timer in _timerOrder)
            {
                if (timer.FireAt > now)
                {
                    break;
                }

                due++;
            }

            return Task.FromResult(new StoreWorkCounts(ready, _activities.Count, due, _timerOrder.Count));
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The next id (messages, activities, timers) this store hands out, for <see cref="Image"/>.</summary>
    internal long NextId
    {
        get
        {
            lock (_gate)
            {
                return _nextId;
            }
        }
    }

    /// <summary>
    /// Everything held for each instance, ids included, in instance order (<see cref="InstanceImage"/>): with
    /// <see cref="NextId"/>, what <see cref="Restore"/> needs to rebuild this store exactly.
    /// </summary>
    internal IEnumerable<InstanceImage> Images()
    {
        List<string> ids;
        lock (_gate)
        {
            ids = [.. _instances.Keys];
        }

        foreach (var id in ids)
        {
            if (Image(id) is { } image)
            {
                yield return image;
            }
        }
    }

    private InstanceImage? Image(string id)
    {
        lock (_gate)
        {
            if (!_instances.TryGetValue(id, out var instance))
            {
                return null;
            }

            return new InstanceImage(
                instance,
                _history.TryGetValue(id, out var history) ? [.. history] : [],
                _inboxes.TryGetValue(id, out var inbox) ? [.. inbox.Select(m => new InboxImage(m.Id, m.Event))] : [],
                _activitiesOf.TryGetValue(id, out var activities) ? [.. activities.Order().Select(k => _activities[k])] : [],
                _timersOf.TryGetValue(id, out var timers) ? [.. timers.Order().Select(k => new TimerImage(k, _timers[k].ExecutionId, _timers[k].TimerId, _timers[k].FireAt))] : []);
        }
    }

    /// <summary>Sets the next id (an image of a store that holds no instance).</summary>
    internal void Restore(long nextId)
    {
        lock (_gate)
        {
            _nextId = Math.Max(_nextId, nextId);
        }
    }

    /// <summary>Adds one instance exactly as <see cref="Images"/> described it (the store must not hold it yet).</summary>
    internal void Restore(InstanceImage image, long nextId)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_gate)
        {
            var id = image.Instance.InstanceId;
            _instances.Add(id, image.Instance);
            _history[id] = [.. image.History];
            if (image.Inbox.Count > 0)
            {
                _inboxes[id] = [.. image.Inbox.Select(m => new InboxMessage(m.Id, id, m.Event))];
                _readyOrder.Add((image.Inbox[0].Id, id));
            }

            foreach (var activity in image.Activities)
            {
                _activities.Add(activity.Id, activity);
                Of(_activitiesOf, id).Add(activity.Id);
            }

            foreach (var timer in image.Timers)
            {
                _timers.Add(timer.Key, (id, timer.ExecutionId, timer.TimerId, timer.FireAt));
                Of(_timersOf, id).Add(timer.Key);
                _timerOrder.Add((timer.FireAt, timer.Key));
            }

            _nextId = Math.Max(_nextId, nextId);
        }
    }

    internal static StoredEvent ChildAlreadyExists(NewChildInstance child, InstanceRecord parent, InstanceRecord existing) =>
        new(StoredEventKind.SubOrchestrationInstanceFailed, parent.LastUpdatedAt)
        {
            TaskId = child.ParentTaskId,
            ExecutionId = parent.ExecutionId,
            Failure = StoreErrors.AlreadyExistsFailure(existing.InstanceId, existing.Status),
        };

    private static bool IsWakeUp(StoredEvent e) => e.EventType is StoredEventKind.ExecutionResumed or StoredEventKind.ExecutionTerminated;

    private static bool Matches(InstanceRecord i, InstanceQuery q) =>
        (q.CreatedFrom is null || i.CreatedAt >= q.CreatedFrom) &&
        (q.CreatedTo is null || i.CreatedAt <= q.CreatedTo) &&
        (q.Statuses is null || q.Statuses.Count == 0 || q.Statuses.Contains(i.Status)) &&
        (q.InstanceIdPrefix is null || i.InstanceId.StartsWith(q.InstanceIdPrefix, StringComparison.Ordinal)) &&
        (q.ParentInstanceId is null || i.ParentInstanceId == q.ParentInstanceId);

    private void CreateLocked(InstanceRecord instance, StoredEvent startEvent, IReadOnlyCollection<OrchestrationRuntimeStatus> dedupeStatuses)
    {
        if (_instances.TryGetValue(instance.InstanceId, out var existing))
        {
            if (dedupeStatuses.Contains(existing.Status))
            {
                throw StoreErrors.AlreadyExists(instance.InstanceId, existing.Status);
            }

            RemoveLocked(instance.InstanceId);
        }

        _instances[instance.InstanceId] = instance;
        _history[instance.InstanceId] = [];
        EnqueueLocked(instance.InstanceId, startEvent);
    }

    private void EnqueueLocked(string instanceId, StoredEvent message)
    {
        if (!_inboxes.TryGetValue(instanceId, out var inbox))
        {
            inbox = [];
            _inboxes[instanceId] = inbox;
        }

        var id = ++_nextId;
        if (inbox.Count == 0)
        {
            _readyOrder.Add((id, instanceId));
        }

        inbox.Add(new InboxMessage(id, instanceId, message));
    }

    private void RemoveLocked(string instanceId)
    {
        _instances.Remove(instanceId);
        _history.Remove(instanceId);
        if (_inboxes.Remove(instanceId, out var inbox) && inbox.Count > 0)
        {
            _readyOrder.Remove((inbox[0].Id, instanceId));
        }

        RemovePendingWorkLocked(instanceId);
    }

    /// <summary>Drops every open timer and pending activity of the instance.</summary>
    private void RemovePendingWorkLocked(string instanceId)
    {
        if (_activitiesOf.Remove(instanceId, out var activities))
        {
            foreach (var key in activities)
            {
                _activities.Remove(key);
            }
        }

        if (_timersOf.Remove(instanceId, out var timers))
        {
            foreach (var key in timers)
            {
                RemoveTimerLocked(key); // the instance's set is out of the index already: nothing else to forget
            }
        }
    }

    private void RemoveTimerLocked(long key)
    {
        if (_timers.Remove(key, out var timer))
        {
            _timerOrder.Remove((timer.FireAt, key));
            Forget(_timersOf, timer.InstanceId, key);
        }
    }

    private bool RemoveActivityLocked(long key)
    {
        if (!_activities.Remove(key, out var activity))
        {
            return false;
        }

        Forget(_activitiesOf, activity.InstanceId, key);
        return true;
    }

    private static HashSet<long> Of(Dictionary<string, HashSet<long>> index, string instanceId)
    {
        if (!index.TryGetValue(instanceId, out var keys))
        {
            index[instanceId] = keys = [];
        }

        return keys;
    }

    private static void Forget(Dictionary<string, HashSet<long>> index, string instanceId, long key)
    {
        if (index.TryGetValue(instanceId, out var keys) && keys.Remove(key) && keys.Count == 0)
        {
            index.Remove(instanceId);
        }
    }
}

/// <summary>One instance as <see cref="InMemoryOrchestrationStore"/> holds it: row, history, inbox, pending activities and open timers, with their ids.</summary>
internal sealed record InstanceImage(
    InstanceRecord Instance,
    IReadOnlyList<StoredEvent> History,
    IReadOnlyList<InboxImage> Inbox,
    IReadOnlyList<ActivityWorkItem> Activities,
    IReadOnlyList<TimerImage> Timers);

/// <summary>An inbox message with its id.</summary>
internal sealed record InboxImage(long Id, StoredEvent Event);

/// <summary>An open timer with its key.</summary>
internal sealed record TimerImage(long Key, string ExecutionId, int TimerId, DateTime FireAt);
