using System.Text.Json;
using Mets.Api.Json;
using Mets.Api.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using CoreHistory = DurableTask.Core.History;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Mets.Api.Management;

/// <summary>An instance as Durable Functions' HTTP API shows it (<c>showInput</c>, <c>showHistory</c> add input and history).</summary>
public sealed record InstanceStatusView(
    string Name,
    string InstanceId,
    string RuntimeStatus,
    JsonElement? Input,
    JsonElement? CustomStatus,
    JsonElement? Output,
    DateTimeOffset CreatedTime,
    DateTimeOffset LastUpdatedTime,
    IReadOnlyList<HistoryEventView>? HistoryEvents);

/// <summary>One history event (<c>showHistoryOutput</c> adds inputs and results).</summary>
public sealed record HistoryEventView(string EventType, DateTime Timestamp, string? Name, int? TaskId, DateTime? FireAt, string? InstanceId, JsonElement? Input, JsonElement? Result, string? Reason, string? FailureType);

/// <summary>The answer of a purge: how many instances were deleted.</summary>
public sealed record PurgeView(int InstancesDeleted);

/// <summary>
/// Instance management routes under <c>/runtime/webhooks/durabletask/instances</c> over Microsoft's
/// <see cref="DurableTaskClient"/>, shaped like Durable Functions' HTTP API (admin key only; the local host maps
/// them for its embedded engine, Azure has Durable Functions' own): get (with history), list with filters (paged by
/// <c>x-ms-continuation-token</c>), raise event, terminate, suspend, resume, purge one, purge by filter.
/// Answers never carry management URLs or keys.
/// </summary>
public static class InstanceManagementEndpoints
{
    public const string ContinuationHeader = "x-ms-continuation-token";

    public static RouteGroupBuilder MapInstanceManagement(this RouteGroupBuilder management)
    {
        ArgumentNullException.ThrowIfNull(management);
        var instances = management.MapGroup("/instances");
        instances.MapGet("/", ListInstances).WithName("ListInstances").WithSummary("Instances by createdTimeFrom, createdTimeTo, runtimeStatus (comma-separated), instanceIdPrefix, top.")
            .Produces<IReadOnlyList<InstanceStatusView>>().ProducesProblem(StatusCodes.Status400BadRequest);
        instances.MapGet("/{instanceId}", GetInstance).WithName("GetInstance").WithSummary("One instance; showInput, showHistory, showHistoryOutput.")
            .Produces<InstanceStatusView>().Produces<InstanceStatusView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        instances.MapPost("/{instanceId}/raiseEvent/{eventName}", RaiseEvent).WithName("RaiseInstanceEvent").WithSummary("Raise an event with a JSON payload.")
            .Accepts<JsonElement>("application/json").Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        instances.MapPost("/{instanceId}/terminate", Terminate).WithName("TerminateInstance").WithSummary("Terminate (reason in ?reason=).")
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        instances.MapPost("/{instanceId}/suspend", Suspend).WithName("SuspendInstance").WithSummary("Suspend (reason in ?reason=).")
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        instances.MapPost("/{instanceId}/resume", Resume).WithName("ResumeInstance").WithSummary("Resume (reason in ?reason=).")
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        instances.MapDelete("/{instanceId}", Purge).WithName("PurgeInstance").WithSummary("Purge one instance's history.")
            .Produces<PurgeView>().ProducesProblem(StatusCodes.Status404NotFound);
        instances.MapDelete("/", PurgeMany).WithName("PurgeInstances").WithSummary("Purge by createdTimeFrom, createdTimeTo, runtimeStatus.")
            .Produces<PurgeView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return management;
    }

    internal static async Task<IResult> GetInstance(
        string instanceId, bool? showInput, bool? showHistory, bool? showHistoryOutput, [FromServices] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
        {
            return NoInstance();
        }

        IReadOnlyList<HistoryEventView>? history = null;
        if (showHistory == true)
        {
            var events = await client.GetOrchestrationHistoryAsync(instanceId, cancellationToken);
            history = [.. events.Select(e => HistoryView(e, showHistoryOutput == true))];
        }

        var view = View(instance, showInput != false, history);
        return instance.IsCompleted ? TypedResults.Ok(view) : TypedResults.Accepted((string?)null, view);
    }

    internal static async Task<IResult> ListInstances(
        HttpContext context,
        DateTimeOffset? createdTimeFrom,
        DateTimeOffset? createdTimeTo,
        string? runtimeStatus,
        string? instanceIdPrefix,
        int? top,
        bool? showInput,
        [FromServices] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var statuses = Statuses(runtimeStatus, errors);
        errors.Require(top is null or (>= 1 and <= 1000), "top", "must be between 1 and 1000.");
        if (!errors.IsEmpty)
        {
            return errors.ToProblem("The query is not valid.");
        }

        var continuation = context.Request.Headers[ContinuationHeader].FirstOrDefault();
        var pageSize = top ?? 100;
        var query = new OrchestrationQuery(createdTimeFrom, createdTimeTo, statuses, null, instanceIdPrefix, pageSize, FetchInputsAndOutputs: true);
        await foreach (var page in client.GetAllInstancesAsync(query).AsPages(string.IsNullOrEmpty(continuation) ? null : continuation, pageSize).WithCancellation(cancellationToken))
        {
            if (page.ContinuationToken is { Length: > 0 } next)
            {
                context.Response.Headers[ContinuationHeader] = next;
            }

            return TypedResults.Ok(page.Values.Select(i => View(i, showInput == true, null)).ToList());
        }

        return TypedResults.Ok(new List<InstanceStatusView>());
    }

    internal static async Task<IResult> RaiseEvent(string instanceId, string eventName, HttpRequest request, [FromServices] DurableTaskClient client,
        [FromServices] IOptions<ApiLimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(instanceId, cancellationToken) is not { } instance)
        {
            return NoInstance();
        }

        if (instance.IsCompleted)
        {
            return Gone();
        }

        object? payload = null;
        var bytes = await RequestBody.ReadCappedAsync(request, limits.Value.MaxJsonBodyBytes, cancellationToken);
        if (bytes is null)
        {
            return Problem.Of(StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
        }

        if (bytes.Length > 0)
        {
            if (!RequestBody.IsJson(request.ContentType))
            {
                return Problem.Of(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.", "Send Content-Type: application/json.");
            }

            try
            {
                using var document = JsonDocument.Parse(bytes);
                payload = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return new FieldErrors().Add("$", "The body is not valid JSON.").ToProblem("The body is not valid JSON.");
            }
        }

        await client.RaiseEventAsync(instanceId, eventName, payload, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    internal static Task<IResult> Terminate(string instanceId, string? reason, [FromServices] DurableTaskClient client, CancellationToken cancellationToken) =>
        ChangeAsync(client, instanceId, () => client.TerminateInstanceAsync(instanceId, new TerminateInstanceOptions(reason, Recursive: true), cancellationToken), cancellationToken);

    internal static Task<IResult> Suspend(string instanceId, string? reason, [FromServices] DurableTaskClient client, CancellationToken cancellationToken) =>
        ChangeAsync(client, instanceId, () => client.SuspendInstanceAsync(instanceId, reason, cancellationToken), cancellationToken);

    internal static Task<IResult> Resume(string instanceId, string? reason, [FromServices] DurableTaskClient client, CancellationToken cancellationToken) =>
        ChangeAsync(client, instanceId, () => client.ResumeInstanceAsync(instanceId, reason, cancellationToken), cancellationToken);

    internal static async Task<IResult> Purge(string instanceId, [FromServices] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(instanceId, cancellationToken) is null)
        {
            return NoInstance();
        }

        try
        {
            var result = await client.PurgeInstanceAsync(instanceId, new PurgeInstanceOptions(Recursive: true), cancellationToken);
            return TypedResults.Ok(new PurgeView(result.PurgedInstanceCount));
        }
        catch (InvalidOperationException)
        {
            return Problem.Of(StatusCodes.Status409Conflict, "The instance is still running.", "Terminate it before purging it.");
        }
    }

    internal static async Task<IResult> PurgeMany(DateTimeOffset? createdTimeFrom, DateTimeOffset? createdTimeTo, string? runtimeStatus,
        [FromServices] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var statuses = Statuses(runtimeStatus, errors);
        errors.Require(createdTimeFrom is not null || createdTimeTo is not null || statuses is not null, "createdTimeFrom", "A filter (createdTimeFrom, createdTimeTo or runtimeStatus) is required.");
        if (!errors.IsEmpty)
        {
            return errors.ToProblem("The query is not valid.");
        }

        var result = await client.PurgeAllInstancesAsync(new PurgeInstancesFilter(createdTimeFrom, createdTimeTo, statuses), new PurgeInstanceOptions(Recursive: true), cancellationToken);
        return result.PurgedInstanceCount == 0 ? Problem.NotFound("No instance matched the filter.") : TypedResults.Ok(new PurgeView(result.PurgedInstanceCount));
    }

    private static async Task<IResult> ChangeAsync(DurableTaskClient client, string instanceId, Func<Task> change, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(instanceId, cancellationToken) is not { } instance)
        {
            return NoInstance();
        }

        if (instance.IsCompleted)
        {
            return Gone();
        }

        try
        {
            await change();
        }
        catch (ArgumentException)
        {
            // Microsoft's clients answer an unknown instance id with ArgumentException: it was purged meanwhile.
            return NoInstance();
        }

        return TypedResults.Accepted((string?)null);
    }

    private static OrchestrationRuntimeStatus[]? Statuses(string? text, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var list = new List<OrchestrationRuntimeStatus>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<OrchestrationRuntimeStatus>(part, ignoreCase: true, out var status) && Enum.IsDefined(status) && !int.TryParse(part, out _))
            {
                list.Add(status);
            }
            else
            {
                errors.Add("runtimeStatus", "must be a comma-separated list of Running, Completed, Failed, Terminated, Pending, Suspended.");
                return null;
            }
        }

        return [.. list];
    }

    private static InstanceStatusView View(OrchestrationMetadata instance, bool showInput, IReadOnlyList<HistoryEventView>? history) => new(
        instance.Name,
        instance.InstanceId,
        instance.RuntimeStatus.ToString(),
        showInput ? Parse(instance.SerializedInput) : null,
        Parse(instance.SerializedCustomStatus),
        Parse(instance.SerializedOutput),
        instance.CreatedAt,
        instance.LastUpdatedAt,
        history);

    /// <summary>A DurableTask.Core history event as Durable Functions' HTTP API lists it.</summary>
    private static HistoryEventView HistoryView(CoreHistory.HistoryEvent e, bool withOutput)
    {
        var (name, taskId, fireAt, instanceId, input, result, reason, failure) = e switch
        {
            CoreHistory.ExecutionStartedEvent x => (x.Name, (int?)null, (DateTime?)null, null, x.Input, null, null, null),
            CoreHistory.TaskScheduledEvent x => (x.Name, x.EventId, null, null, x.Input, null, null, null),
            CoreHistory.TaskCompletedEvent x => (null, x.TaskScheduledId, null, null, null, x.Result, null, null),
            CoreHistory.TaskFailedEvent x => (null, x.TaskScheduledId, null, null, null, null, x.Reason, x.FailureDetails?.ErrorType),
            CoreHistory.TimerCreatedEvent x => (null, x.EventId, x.FireAt, null, null, null, null, null),
            CoreHistory.TimerFiredEvent x => (null, x.TimerId, x.FireAt, null, null, null, null, null),
            CoreHistory.SubOrchestrationInstanceCreatedEvent x => (x.Name, x.EventId, null, x.InstanceId, x.Input, null, null, null),
            CoreHistory.SubOrchestrationInstanceCompletedEvent x => (null, x.TaskScheduledId, null, null, null, x.Result, null, null),
            CoreHistory.SubOrchestrationInstanceFailedEvent x => (null, x.TaskScheduledId, null, null, null, null, x.Reason, x.FailureDetails?.ErrorType),
            CoreHistory.EventRaisedEvent x => (x.Name, null, null, null, x.Input, null, null, null),
            CoreHistory.EventSentEvent x => (x.Name, x.EventId, null, x.InstanceId, x.Input, null, null, null),
            CoreHistory.ExecutionSuspendedEvent x => (null, null, null, null, null, null, x.Reason, null),
            CoreHistory.ExecutionResumedEvent x => (null, null, null, null, null, null, x.Reason, null),
            CoreHistory.ExecutionTerminatedEvent x => (null, null, null, null, x.Input, null, null, null),
            CoreHistory.ExecutionCompletedEvent x => (null, null, null, null, null, x.Result, null, x.FailureDetails?.ErrorType),
            _ => ((string?)null, (int?)null, (DateTime?)null, (string?)null, (string?)null, (string?)null, (string?)null, (string?)null),
        };
        return new HistoryEventView(e.EventType.ToString(), e.Timestamp, name, taskId, fireAt, instanceId,
            withOutput ? Parse(input) : null, withOutput ? Parse(result) : null, reason, failure);
    }

    private static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NoInstance() => Problem.NotFound("No instance has this id.");

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Gone() =>
        Problem.Of(StatusCodes.Status410Gone, "The instance has completed.", "A completed, failed or terminated instance cannot be changed.");
}
