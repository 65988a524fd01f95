using Microsoft.DurableTask;

namespace Mets.FunctionApp.Durable;

/// <summary>
/// The <see cref="TaskActivityContext"/> an activity function hands to the workflow's <see cref="TaskActivity{TInput,TOutput}"/>.
/// The isolated worker binds no TaskActivityContext to an <c>[ActivityTrigger]</c> function (its activity input converter
/// only deserializes the input, or passes the FunctionContext), but the trigger's binding data carries the calling
/// orchestration's instance id (the <c>string instanceId</c> parameter), which is all the context holds: the activity's
/// name and that id. (Microsoft's source generator for class-based activities builds the same context.)
/// </summary>
internal sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId ?? string.Empty;
}
