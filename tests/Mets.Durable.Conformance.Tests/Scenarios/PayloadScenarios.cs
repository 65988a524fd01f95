using DurableTask.Core.History;
using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>
/// The orchestrator throws: the instance fails with the exception's type and message, and its serialized output is
/// the bare message (not JSON).
/// </summary>
public sealed class OrchestratorThrows : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Failed,
        Output = "order 42 is invalid",
        Failure = new("System.InvalidOperationException", "order 42 is invalid"),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<ThrowingOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(ThrowingOrchestrator));

    private sealed class ThrowingOrchestrator : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) =>
            throw new InvalidOperationException("order 42 is invalid");
    }
}

/// <summary>
/// A record with an enum, a DateTimeOffset with an offset, a decimal, a list and a null travels input -> activity ->
/// output: the exact JSON at each step (Microsoft's JsonDataConverter.Default: PascalCase, numeric enums).
/// </summary>
public sealed class PayloadRoundTrip : Scenario
{
    private const string Stamped =
        "{\"Id\":\"P-1\",\"Priority\":2,\"SentAt\":\"2026-03-01T10:30:00+02:00\",\"WeightKg\":1.25,\"Tags\":[\"fragile\",\"stamped\"],\"Note\":null}";

    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed(Stamped) with
    {
        Scheduled = ["activity:PayloadStamp"],
        Observations = Observed(
            ("input", "{\"Id\":\"P-1\",\"Priority\":1,\"SentAt\":\"2026-03-01T10:30:00+02:00\",\"WeightKg\":1.25,\"Tags\":[\"fragile\"],\"Note\":null}"),
            ("activityResult", Stamped)),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<PayloadOrchestrator>().AddActivity<PayloadStamp>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var parcel = new Parcel("P-1", ParcelPriority.Normal, new DateTimeOffset(2026, 3, 1, 10, 30, 0, TimeSpan.FromHours(2)), 1.25m, ["fragile"], null);
        var id = await run.StartAsync(nameof(PayloadOrchestrator), parcel);
        var done = await run.WaitForCompletionAsync(id);
        var history = await run.HistoryAsync(id);
        run.Observe("input", done.SerializedInput);
        run.Observe("activityResult", history.OfType<TaskCompletedEvent>().Single().Result);
        return await run.CaptureAsync(id);
    }

    /// <summary>How urgent a parcel is.</summary>
    public enum ParcelPriority
    {
        /// <summary>Whenever.</summary>
        Low,

        /// <summary>The default.</summary>
        Normal,

        /// <summary>Now.</summary>
        Urgent,
    }

    /// <summary>A parcel.</summary>
    /// <param name="Id">Its id.</param>
    /// <param name="Priority">Its priority.</param>
    /// <param name="SentAt">When it was sent, with the sender's offset.</param>
    /// <param name="WeightKg">Its weight.</param>
    /// <param name="Tags">Its labels.</param>
    /// <param name="Note">An optional note.</param>
    public sealed record Parcel(string Id, ParcelPriority Priority, DateTimeOffset SentAt, decimal WeightKg, IReadOnlyList<string> Tags, string? Note);

    private sealed class PayloadOrchestrator : TaskOrchestrator<Parcel, Parcel>
    {
        public override Task<Parcel> RunAsync(TaskOrchestrationContext context, Parcel input) =>
            context.CallActivityAsync<Parcel>(nameof(PayloadStamp), input);
    }

    private sealed class PayloadStamp : TaskActivity<Parcel, Parcel>
    {
        public override Task<Parcel> RunAsync(TaskActivityContext context, Parcel input) =>
            Task.FromResult(input with { Priority = ParcelPriority.Urgent, Tags = [.. input.Tags, "stamped"] });
    }
}

/// <summary>A null input goes through an activity and comes back as the output: how null is stored at each step.</summary>
public sealed class NullInputAndOutput : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed(null) with
    {
        Scheduled = ["activity:NullEcho"],
        Observations = Observed(("input", null), ("activityResult", null)),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<NullOrchestrator>().AddActivity<NullEcho>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(NullOrchestrator));
        var done = await run.WaitForCompletionAsync(id);
        var history = await run.HistoryAsync(id);
        run.Observe("input", done.SerializedInput);
        run.Observe("activityResult", history.OfType<TaskCompletedEvent>().Single().Result);
        return await run.CaptureAsync(id);
    }

    private sealed class NullOrchestrator : TaskOrchestrator<string?, string?>
    {
        public override Task<string?> RunAsync(TaskOrchestrationContext context, string? input) =>
            context.CallActivityAsync<string?>(nameof(NullEcho), input);
    }

    private sealed class NullEcho : TaskActivity<string?, string?>
    {
        public override Task<string?> RunAsync(TaskActivityContext context, string? input) => Task.FromResult(input);
    }
}
