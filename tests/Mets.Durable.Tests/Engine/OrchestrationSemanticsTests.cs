using Mets.Durable.Testing;

namespace Mets.Durable.Tests.Engine;

/// <summary>Durable Functions semantics the embedded engine must match, on every store.</summary>
public class OrchestrationSemanticsTests
{
    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task CallActivityAsync_Chain_CompletesWithOutput(string store)
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<string, string>("Greet", (_, name) => Task.FromResult($"hello {name}"))
                .AddOrchestratorFunc<string, string>("Chain", async (ctx, input) =>
                {
                    var a = await ctx.CallActivityAsync<string>("Greet", input);
                    var b = await ctx.CallActivityAsync<string>("greet", a); // names are case-insensitive
                    return b;
                }),
            StoreKinds.Create(store));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Chain", "ann");
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("hello hello ann", done.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task CurrentUtcDateTime_AfterTimer_IsEpisodeStartNotFireTime(string store)
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, DateTime[]>("Clock", async (ctx, _) =>
            {
                var before = ctx.CurrentUtcDateTime;
                await ctx.CreateTimer(before.AddHours(1), CancellationToken.None);
                return [before, ctx.CurrentUtcDateTime];
            }),
            StoreKinds.Create(store));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Clock");
        await host.WaitForIdleAsync();
        var start = host.UtcNow;

        host.Time.Advance(TimeSpan.FromHours(3)); // the engine wakes late, as after a restart
        await host.WaitForIdleAsync(); // a fake-time jump needs the timer loop woken (real time has no jump to miss)
        var done = await host.WaitForCompletionAsync(id);

        var times = done.ReadOutputAs<DateTime[]>()!;
        Assert.Equal(start, times[0]);
        Assert.Equal(start.AddHours(3), times[1]);
        Assert.Equal(DateTimeKind.Utc, times[1].Kind);
    }

    [Fact]
    public async Task CreateTimer_LocalTime_ConvertedToUtcAsMicrosoftsContextDoes()
    {
        var local = DateTime.SpecifyKind(DurableTestHost.DefaultStart.UtcDateTime.AddHours(2), DateTimeKind.Local);
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("LocalTimer", async (ctx, _) =>
            {
                await ctx.CreateTimer(local, CancellationToken.None);
                return "fired";
            }));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("LocalTimer");
        await host.WaitForIdleAsync();
        var timer = (await host.Client.GetOrchestrationHistoryAsync(id)).OfType<DurableTask.Core.History.TimerCreatedEvent>().Single();
        await host.AdvanceToAsync(new DateTimeOffset(local.ToUniversalTime()));
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(local.ToUniversalTime(), timer.FireAt);
        Assert.Equal(DateTimeKind.Utc, timer.FireAt.Kind);
        Assert.Equal("fired", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task CreateTimer_InThePast_FiresAtOnce()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("PastTimer", async (ctx, _) =>
            {
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddDays(-1), CancellationToken.None);
                return "fired";
            }));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("PastTimer");
        await host.WaitForIdleAsync(); // no time advance at all

        var done = await host.WaitForCompletionAsync(id);
        Assert.Equal("fired", done.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task WaitForExternalEvent_RaisedBeforeWait_BufferedFifoAndCaseInsensitive(string store)
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Buffered", async (ctx, _) =>
            {
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddMinutes(5), CancellationToken.None);
                var first = await ctx.WaitForExternalEvent<string>("Note");
                var second = await ctx.WaitForExternalEvent<string>("NOTE");
                return first + second;
            }),
            StoreKinds.Create(store));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Buffered");
        await host.Client.RaiseEventAsync(id, "note", "A");
        await host.Client.RaiseEventAsync(id, "Note", "B");

        await host.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Equal("AB", (await host.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task WaitForExternalEvent_TwoLiveWaiters_NewestGetsFirstEvent()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Lifo", async (ctx, _) =>
            {
                var older = ctx.WaitForExternalEvent<string>("e");
                var newer = ctx.WaitForExternalEvent<string>("e");
                await Task.WhenAll(older, newer);
                return $"older={older.Result} newer={newer.Result}";
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Lifo");
        await host.WaitForIdleAsync();

        await host.Client.RaiseEventAsync(id, "e", "1");
        await host.Client.RaiseEventAsync(id, "e", "2");

        Assert.Equal("older=2 newer=1", (await host.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task WaitForExternalEvent_CancelledWaiter_NeverConsumesLaterEvent(string store)
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Cancelled", async (ctx, _) =>
            {
                using var cts = new CancellationTokenSource();
                var first = ctx.WaitForExternalEvent<string>("approve", cts.Token);
                var timer = ctx.CreateTimer(ctx.CurrentUtcDateTime.AddHours(1), CancellationToken.None);
                await Task.WhenAny(first, timer);
                cts.Cancel(); // the wait timed out
                var outcome = first.IsCanceled ? "timed-out" : "early";
                var second = await ctx.WaitForExternalEvent<string>("approve");
                return $"{outcome}:{second}";
            }),
            StoreKinds.Create(store));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Cancelled");
        await host.AdvanceAsync(TimeSpan.FromHours(2));

        await host.Client.RaiseEventAsync(id, "approve", "yes");

        Assert.Equal("timed-out:yes", (await host.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task WaitForExternalEvent_WithTimeout_ThrowsTaskCanceledException()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Timeout", async (ctx, _) =>
            {
                try
                {
                    return await ctx.WaitForExternalEvent<string>("answer", TimeSpan.FromDays(2));
                }
                catch (TaskCanceledException)
                {
                    return "timeout";
                }
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Timeout");

        await host.AdvanceAsync(TimeSpan.FromDays(2));

        Assert.Equal("timeout", (await host.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task WaitForExternalEvent_SameNameTwoPayloadTypes_Throws()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("TwoTypes", async (ctx, _) =>
            {
                _ = ctx.WaitForExternalEvent<string>("x");
                await ctx.WaitForExternalEvent<int>("x");
                return "unreachable";
            }));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("TwoTypes");
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Equal(typeof(ArgumentException).FullName, done.FailureDetails!.ErrorType);
        Assert.Contains("Events with the same name must have the same type argument", done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task CallActivityAsync_ActivityThrows_SurfacesTaskFailedExceptionWithDetails(string store)
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<object?, string>("Broken", (_, _) => Task.FromException<string>(new InvalidDataException("bad row")))
                .AddOrchestratorFunc<object?, string>("Catches", async (ctx, _) =>
                {
                    try
                    {
                        return await ctx.CallActivityAsync<string>("Broken");
                    }
                    catch (TaskFailedException ex) when (ex.FailureDetails.IsCausedBy<InvalidDataException>())
                    {
                        return $"{ex.TaskName}#{ex.TaskId}:{ex.FailureDetails.ErrorType}:{ex.FailureDetails.ErrorMessage}";
                    }
                })
                .AddOrchestratorFunc<object?, string>("Uncaught", async (ctx, _) => await ctx.CallActivityAsync<string>("Broken")),
            StoreKinds.Create(store));

        var caught = await host.WaitForCompletionAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("Catches"));
        var uncaught = await host.WaitForCompletionAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("Uncaught"));

        Assert.Equal("Broken#0:System.IO.InvalidDataException:bad row", caught.ReadOutputAs<string>());
        Assert.Equal(OrchestrationRuntimeStatus.Failed, uncaught.RuntimeStatus);
        Assert.Equal(typeof(TaskFailedException).FullName, uncaught.FailureDetails!.ErrorType);
        Assert.Equal("System.IO.InvalidDataException", uncaught.FailureDetails.InnerFailure!.ErrorType);
    }

    [Fact]
    public async Task CallActivityAsync_MissingActivity_FailsWithActivityTaskNotFound()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Missing", async (ctx, _) =>
            {
                try
                {
                    return await ctx.CallActivityAsync<string>("NoSuchActivity");
                }
                catch (TaskFailedException ex)
                {
                    return ex.FailureDetails.ErrorType;
                }
            }));

        var done = await host.WaitForCompletionAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("Missing"));

        Assert.Equal("ActivityTaskNotFound", done.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task CallActivityAsync_RetryPolicy_RetriesThroughDurableTimersWithBackoff(string store)
    {
        var attempts = new List<DateTime>();
        DurableTestHost? hostRef = null;
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<object?, string>("Flaky", (_, _) =>
                {
                    lock (attempts)
                    {
                        attempts.Add(hostRef!.UtcNow);
                        if (attempts.Count < 3)
                        {
                            throw new TimeoutException("upstream busy");
                        }
                    }

                    return Task.FromResult("ok");
                })
                .AddOrchestratorFunc<object?, string>("Retrying", async (ctx, _) =>
                    await ctx.CallActivityAsync<string>("Flaky", null, TaskOptions.FromRetryPolicy(new RetryPolicy(4, TimeSpan.FromMinutes(1), 2.0)))),
            StoreKinds.Create(store));
        hostRef = host;
        var start = host.UtcNow;

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Retrying");
        await host.AdvanceAsync(TimeSpan.FromMinutes(10));

        Assert.Equal("ok", (await host.WaitForCompletionAsync(id)).ReadOutputAs<string>());
        Assert.Equal([start, start.AddMinutes(1), start.AddMinutes(3)], attempts);
    }

    [Fact]
    public async Task CallActivityAsync_RetriesExhausted_ThrowsLastFailure()
    {
        var calls = 0;
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<object?, string>("AlwaysFails", (_, _) =>
                {
                    Interlocked.Increment(ref calls);
                    return Task.FromException<string>(new InvalidOperationException("no"));
                })
                .AddOrchestratorFunc<object?, string>("GivesUp", async (ctx, _) =>
                    await ctx.CallActivityAsync<string>("AlwaysFails", null, TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(5))))));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("GivesUp");
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var done = await host.WaitForCompletionAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Orchestrator_ReturnsWithLiveTimer_StaysRunningUntilTimerFires()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Forgetful", (ctx, _) =>
            {
                _ = ctx.CreateTimer(ctx.CurrentUtcDateTime.AddHours(1), CancellationToken.None);
                return Task.FromResult("done");
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Forgetful");
        await host.WaitForIdleAsync();

        var before = await host.Client.GetInstanceAsync(id);
        await host.AdvanceAsync(TimeSpan.FromHours(1));
        var after = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true);

        Assert.Equal(OrchestrationRuntimeStatus.Running, before!.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, after!.RuntimeStatus);
        Assert.Equal("done", after.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Orchestrator_CancelledTimer_DoesNotHoldCompletion()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Tidy", async (ctx, _) =>
            {
                using var cts = new CancellationTokenSource();
                var timer = ctx.CreateTimer(ctx.CurrentUtcDateTime.AddDays(7), cts.Token);
                var answer = ctx.WaitForExternalEvent<string>("answer");
                await Task.WhenAny(timer, answer);
                cts.Cancel();
                return answer.Result;
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Tidy");
        await host.WaitForIdleAsync();

        await host.Client.RaiseEventAsync(id, "answer", "yes");
        await host.WaitForIdleAsync();

        var done = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done!.RuntimeStatus);
        Assert.Null(await host.Store.GetNextTimerDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Orchestrator_AwaitsTaskDelay_FailsWithNonDurableTaskMessage()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Sleepy", async (ctx, _) =>
            {
#pragma warning disable CA2016 // Deliberately wrong orchestrator code: a non-durable delay.
#pragma warning disable DURABLE0003 // The same: the test proves the engine fails what this analyzer forbids.
                await Task.Delay(TimeSpan.FromHours(1));
#pragma warning restore DURABLE0003
#pragma warning restore CA2016
                return "never";
            }));

        var done = await host.WaitForCompletionAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("Sleepy"));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("awaited a non-durable task", done.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ContinueAsNew_CarriesUnprocessedEventsAndStartsFreshHistory(string store)
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<int, int>("Counter", async (ctx, generation) =>
            {
                if (generation == 3)
                {
                    return generation;
                }

                await ctx.WaitForExternalEvent<string>("tick");
                using var reminder = new CancellationTokenSource();
                _ = ctx.CreateTimer(ctx.CurrentUtcDateTime.AddDays(30), reminder.Token);
                reminder.Cancel(); // a cancelled timer does not hold ContinueAsNew (a live one would, as in DurableTask.Core)
                ctx.ContinueAsNew(generation + 1);
                return -1;
            }),
            StoreKinds.Create(store));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Counter", 0);
        await host.WaitForIdleAsync();

        // Three ticks at once: the first is consumed by generation 0, the rest are carried over.
        await host.Client.RaiseEventAsync(id, "tick", "a");
        await host.Client.RaiseEventAsync(id, "tick", "b");
        await host.Client.RaiseEventAsync(id, "tick", "c");
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(3, done.ReadOutputAs<int>());
        var history = await host.Client.GetOrchestrationHistoryAsync(id);
        Assert.True(history.Count <= 4, $"history should restart per generation but has {history.Count} events");
        Assert.Null(await host.Store.GetNextTimerDueAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ContinueAsNew_WithAnOpenActivity_WaitsForItAndCarriesEventsRaisedMeanwhile(string store)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<object?, string>("Slow", (_, _) =>
                {
                    started.TrySetResult();
                    return release.Task;
                })
                .AddOrchestratorFunc<int, string>("Holder", async (ctx, generation) =>
                {
                    if (generation == 0)
                    {
                        _ = ctx.CallActivityAsync<string>("Slow"); // fire and forget: still an open task
                        ctx.ContinueAsNew(1);
                        return "generation 0";
                    }

                    return await ctx.WaitForExternalEvent<string>("late");
                }),
            StoreKinds.Create(store));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Holder", 0);
        await started.Task.WaitAsync(DurableTestHost.WaitTimeout); // dispatched only after generation 0's episode committed

        var held = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        await host.Client.RaiseEventAsync(id, "late", "raised while generation 0 waited");
        release.SetResult("done");
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal("0", held!.SerializedInput);
        Assert.Equal(OrchestrationRuntimeStatus.Running, held.RuntimeStatus);
        Assert.Equal("raised while generation 0 waited", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task ContinueAsNew_NotPreservingEvents_DropsBufferedEvents()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<int, string>("Forgets", async (ctx, generation) =>
            {
                if (generation == 1)
                {
                    using var cts = new CancellationTokenSource();
                    var evt = ctx.WaitForExternalEvent<string>("e", cts.Token);
                    var timer = ctx.CreateTimer(ctx.CurrentUtcDateTime.AddHours(1), CancellationToken.None);
                    await Task.WhenAny(evt, timer);
                    cts.Cancel();
                    return evt.IsCompletedSuccessfully ? "kept" : "dropped";
                }

                await ctx.WaitForExternalEvent<string>("go");
                ctx.ContinueAsNew(1, preserveUnprocessedEvents: false);
                return "gen0";
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Forgets", 0);
        await host.WaitForIdleAsync();
        await host.Client.RaiseEventAsync(id, "go", "x");
        await host.Client.RaiseEventAsync(id, "e", "x");

        await host.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal("dropped", (await host.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task SuspendInstanceAsync_EventsAndTimersWaitForResume(string store)
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Pausable", async (ctx, _) =>
            {
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddHours(1), CancellationToken.None);
                return await ctx.WaitForExternalEvent<string>("go");
            }),
            StoreKinds.Create(store));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Pausable");
        await host.WaitForIdleAsync();

        await host.Client.SuspendInstanceAsync(id, "audit");
        await host.WaitForIdleAsync();
        await host.AdvanceAsync(TimeSpan.FromHours(2));
        await host.Client.RaiseEventAsync(id, "go", "went");
        await host.WaitForIdleAsync();
        var whileSuspended = await host.Client.GetInstanceAsync(id);
        await host.Client.ResumeInstanceAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Suspended, whileSuspended!.RuntimeStatus);
        Assert.Equal("went", (await host.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task SetCustomStatus_Over16KB_Throws()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<int, string>("Chatty", (ctx, size) =>
            {
                ctx.SetCustomStatus(new string('x', size));
                return Task.FromResult("ok");
            }));

        var small = await host.WaitForCompletionAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("Chatty", 8000));
        var large = await host.WaitForCompletionAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("Chatty", 8200));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, small.RuntimeStatus);
        Assert.Equal(8000, small.ReadCustomStatusAs<string>()!.Length);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, large.RuntimeStatus);
        Assert.Contains("16 KB", large.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payloads_GoThroughTheOneSerializer_EvenInMemory()
    {
        var converter = new Microsoft.DurableTask.Converters.JsonDataConverter(new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower });
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<Payload, Payload>("Echo", (ctx, input) =>
            {
                ctx.SetCustomStatus(new Payload("status", 1));
                return Task.FromResult(input with { ReviewNumber = input.ReviewNumber + 1 });
            }),
            converter: converter);

        var done = await host.WaitForCompletionAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", new Payload("step", 1)));

        Assert.Equal("{\"step_name\":\"step\",\"review_number\":1}", done.SerializedInput);
        Assert.Equal("{\"step_name\":\"step\",\"review_number\":2}", done.SerializedOutput);
        Assert.Equal("{\"step_name\":\"status\",\"review_number\":1}", done.SerializedCustomStatus);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task CallSubOrchestratorAsync_WithInstanceId_ChildSeesParentAndFailuresSurface(string store)
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddOrchestratorFunc<string, string>("Child", (ctx, mode) =>
                    mode == "fail" ? throw new InvalidOperationException("child broke") : Task.FromResult($"{ctx.InstanceId} of {ctx.Parent!.Name} {ctx.Parent.InstanceId}"))
                .AddOrchestratorFunc<object?, string>("Parent", async (ctx, _) =>
                {
                    var ok = await ctx.CallSubOrchestratorAsync<string>("Child", "ok", new SubOrchestrationOptions(instanceId: $"{ctx.InstanceId}:child"));
                    try
                    {
                        await ctx.CallSubOrchestratorAsync<string>("Child", "fail");
                        return "unreachable";
                    }
                    catch (TaskFailedException ex)
                    {
                        return $"{ok} | {ex.FailureDetails.ErrorType}";
                    }
                }),
            StoreKinds.Create(store));

        var done = await host.WaitForCompletionAsync(await host.Client.ScheduleNewOrchestrationInstanceAsync("Parent", null, new StartOrchestrationOptions("p1")));

        Assert.Equal("p1:child of Parent p1 | System.InvalidOperationException", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task SendEvent_DeliversToAnotherInstance()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddOrchestratorFunc<object?, string>("Listener", async (ctx, _) => await ctx.WaitForExternalEvent<string>("ping"))
                .AddOrchestratorFunc<string, string>("Sender", (ctx, target) =>
                {
                    ctx.SendEvent(target, "ping", "from sender");
                    return Task.FromResult("sent");
                }));
        var listener = await host.Client.ScheduleNewOrchestrationInstanceAsync("Listener");
        await host.WaitForIdleAsync();

        await host.Client.ScheduleNewOrchestrationInstanceAsync("Sender", listener);

        Assert.Equal("from sender", (await host.WaitForCompletionAsync(listener)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task NewGuid_IsDeterministicAcrossReplays()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, Guid[]>("Guids", async (ctx, _) =>
            {
                var first = ctx.NewGuid();
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddMinutes(1), CancellationToken.None); // forces a replay
                return [first, ctx.NewGuid(), ctx.NewGuid()];
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Guids", null, new StartOrchestrationOptions("fixed-id"));

        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var guids = (await host.WaitForCompletionAsync(id)).ReadOutputAs<Guid[]>()!;
        Assert.Equal(3, guids.Distinct().Count());
        Assert.All(guids, g => Assert.Equal(5, g.Version));
        // Recomputing from the same instance id and start time gives the same first GUID.
        Assert.Equal(guids[0], DeterministicGuid("fixed-id", DurableTestHost.DefaultStart.UtcDateTime, 0));
    }

    [Fact]
    public async Task TerminateInstanceAsync_Running_TerminatedWithOutputAndIgnoresLaterEvents()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Waits", async (ctx, _) => await ctx.WaitForExternalEvent<string>("never")));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Waits");
        await host.WaitForIdleAsync();

        await host.Client.TerminateInstanceAsync(id, "closed by supervisor");
        await host.WaitForIdleAsync();
        await host.Client.RaiseEventAsync(id, "never", "late");
        await host.WaitForIdleAsync();

        var done = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, done!.RuntimeStatus);
        Assert.Equal("closed by supervisor", done.ReadOutputAs<string>());
    }

    private static Guid DeterministicGuid(string instanceId, DateTime time, int counter)
    {
        var ns = new Guid("9e952958-5e33-4daf-827f-2fa12937b875").ToByteArray(bigEndian: true);
        var name = System.Text.Encoding.UTF8.GetBytes($"{instanceId}_{time:o}_{counter}");
#pragma warning disable CA5350 // UUID v5 is defined on SHA-1.
        var hash = System.Security.Cryptography.SHA1.HashData([.. ns, .. name]);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    public sealed record Payload(string StepName, int ReviewNumber);
}
