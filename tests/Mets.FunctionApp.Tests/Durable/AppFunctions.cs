using System.Reflection;
using Mets.FunctionApp.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Tests.Durable;

/// <summary>A [Function] method of the function app and its trigger.</summary>
internal sealed record AppFunction(string Name, Type Class, MethodInfo Method, ParameterInfo Trigger)
{
    public bool IsOrchestrator => Trigger.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null;

    public bool IsActivity => Trigger.GetCustomAttribute<ActivityTriggerAttribute>() is not null;

    /// <summary>The payload type of a durable function: the orchestrator's input parameter, the activity's trigger parameter.</summary>
    public Type InputType => IsOrchestrator
        ? Method.GetParameters().Single(p => p != Trigger && p.ParameterType != typeof(FunctionContext)).ParameterType
        : Trigger.ParameterType;

    /// <summary>T of the method's Task&lt;T&gt; (object for a plain Task).</summary>
    public Type OutputType => Method.ReturnType.IsGenericType ? Method.ReturnType.GetGenericArguments()[0] : typeof(object);
}

/// <summary>
/// The function app's [Function] methods (found by reflection on the app's assembly), and a way to run its orchestrator
/// and activity functions on any Microsoft.DurableTask backend: each becomes an <see cref="ITaskOrchestrator"/> /
/// <see cref="ITaskActivity"/> that creates the function class and calls its method the way the isolated worker does
/// (the class from the invocation's services; trigger, <c>string instanceId</c> binding data, <c>[DurableClient]</c>
/// and FunctionContext bound by attribute, name and type). So a test runs the function classes themselves.
/// </summary>
internal static class AppFunctions
{
    private static readonly Type[] TriggerAttributes =
        [typeof(OrchestrationTriggerAttribute), typeof(ActivityTriggerAttribute), typeof(BlobTriggerAttribute), typeof(TimerTriggerAttribute)];

    public static IReadOnlyList<AppFunction> All { get; } = Find();

    public static IReadOnlyList<AppFunction> Durable => [.. All.Where(f => f.IsOrchestrator || f.IsActivity)];

    /// <summary>Registers every orchestrator and activity function of the app in <paramref name="registry"/> under its function name.</summary>
    public static DurableTaskRegistry AddAppFunctions(this DurableTaskRegistry registry, Func<IServiceProvider> appServices, Func<DurableTaskClient> client)
    {
        foreach (var function in Durable)
        {
            if (function.IsOrchestrator)
            {
                registry.AddOrchestrator(function.Name, () => new FunctionOrchestrator(function, appServices()));
            }
            else
            {
                registry.AddActivity(function.Name, _ => new FunctionActivity(function, appServices, client));
            }
        }

        return registry;
    }

    private static List<AppFunction> Find() =>
    [
        .. typeof(InvocationDurableClient).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => (t, m)))
            .Select(x => (x.t, x.m, attribute: x.m.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.attribute is not null)
            .Select(x => (x.t, x.m, x.attribute, trigger: x.m.GetParameters().FirstOrDefault(p => p.GetCustomAttributes().Any(a => TriggerAttributes.Contains(a.GetType())))))
            .Where(x => x.trigger is not null)
            .Select(x => new AppFunction(x.attribute!.Name, x.t, x.m, x.trigger!)),
    ];

    private static async Task<object?> CallAsync(MethodInfo method, object target, object?[] arguments)
    {
        var task = (Task)method.Invoke(target, arguments)!;
        await task;
        return task.GetType().IsGenericType ? task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
    }

    private sealed class FunctionOrchestrator(AppFunction function, IServiceProvider appServices) : ITaskOrchestrator
    {
        public Type InputType => function.InputType;

        public Type OutputType => function.OutputType;

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var target = ActivatorUtilities.CreateInstance(appServices, function.Class);
            var arguments = function.Method.GetParameters()
                .Select(p => p == function.Trigger ? context : (object?)input)
                .ToArray();
            return CallAsync(function.Method, target, arguments);
        }
    }

    private sealed class FunctionActivity(AppFunction function, Func<IServiceProvider> appServices, Func<DurableTaskClient> client) : ITaskActivity
    {
        public Type InputType => function.InputType;

        public Type OutputType => function.OutputType;

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            await using var scope = appServices().CreateAsyncScope();
            var functionContext = Invocation.CreateContext(scope.ServiceProvider, CancellationToken.None);
            var target = ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Class);
            var arguments = function.Method.GetParameters().Select(p =>
                p == function.Trigger ? input
                : p.ParameterType == typeof(string) && p.Name == "instanceId" ? context.InstanceId
                : p.GetCustomAttribute<DurableClientAttribute>() is not null ? client()
                : p.ParameterType == typeof(FunctionContext) ? functionContext
                : throw new InvalidOperationException($"Function {function.Name}: no binding for parameter '{p.Name}'.")).ToArray();
            return await CallAsync(function.Method, target, arguments);
        }
    }
}
