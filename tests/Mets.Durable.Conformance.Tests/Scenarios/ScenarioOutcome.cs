using System.Collections.Immutable;
using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>
/// What a scenario run shows from outside, normalized (instance ids replaced by their roles, no timestamps, no stack
/// traces) so the outcomes of two runtimes can be compared field by field.
/// </summary>
public sealed record ScenarioOutcome
{
    /// <summary>Gets the instance's runtime status when captured; null when the runtime does not know the instance.</summary>
    public OrchestrationRuntimeStatus? Status { get; init; }

    /// <summary>Gets the serialized output (for a failed instance: whatever the runtime put there).</summary>
    public string? Output { get; init; }

    /// <summary>Gets the failure details (type, message, inner failures).</summary>
    public FailureOutcome? Failure { get; init; }

    /// <summary>Gets the serialized custom status.</summary>
    public string? CustomStatus { get; init; }

    /// <summary>
    /// Gets the work the current execution scheduled, in history order: "activity:Name", "timer", "sub:Name",
    /// "send:Name->target". Never completion order.
    /// </summary>
    public IReadOnlyList<string> Scheduled { get; init; } = [];

    /// <summary>Gets the names of the external events in the current execution's history, in history order.</summary>
    public IReadOnlyList<string> Received { get; init; } = [];

    /// <summary>Gets scenario-specific facts, by key.</summary>
    public IReadOnlyDictionary<string, string> Observations { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Gets a completed outcome with the given output.</summary>
    /// <param name="output">The serialized output.</param>
    /// <returns>The outcome.</returns>
    public static ScenarioOutcome Completed(string? output) => new() { Status = OrchestrationRuntimeStatus.Completed, Output = output };

    /// <summary>Renders an observation value the way <see cref="Observations"/> stores it.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The rendering.</returns>
    public static string Render(object? value) => value switch
    {
        null => "(null)",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Gets every field's name and rendering, observations as "Observations.key".</summary>
    /// <returns>The fields in a fixed order.</returns>
    public IReadOnlyList<KeyValuePair<string, string>> Fields()
    {
        List<KeyValuePair<string, string>> fields =
        [
            new(nameof(Status), Status?.ToString() ?? "(no instance)"),
            new(nameof(Output), Output ?? "(null)"),
            new(nameof(Failure), Failure?.ToString() ?? "(none)"),
            new(nameof(CustomStatus), CustomStatus ?? "(null)"),
            new(nameof(Scheduled), "[" + string.Join(", ", Scheduled) + "]"),
            new(nameof(Received), "[" + string.Join(", ", Received) + "]"),
        ];
        fields.AddRange(Observations.OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => new KeyValuePair<string, string>(nameof(Observations) + "." + o.Key, o.Value)));
        return fields;
    }

    /// <summary>Gets the names of the fields whose renderings differ (an observation only one side has differs).</summary>
    /// <param name="other">The other outcome.</param>
    /// <returns>The differing field names, ordinal order.</returns>
    public IReadOnlyList<string> DifferingFields(ScenarioOutcome other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var mine = Fields().ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var theirs = other.Fields().ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        return mine.Keys.Union(theirs.Keys, StringComparer.Ordinal)
            .Where(k => mine.GetValueOrDefault(k) != theirs.GetValueOrDefault(k))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Describes the outcome one field a line, leaving out the given fields.</summary>
    /// <param name="excluding">Field names to leave out.</param>
    /// <returns>The description.</returns>
    public string Describe(IEnumerable<string>? excluding = null)
    {
        var skip = new HashSet<string>(excluding ?? [], StringComparer.Ordinal);
        return string.Join('\n', Fields().Where(f => !skip.Contains(f.Key)).Select(f => $"{f.Key} = {f.Value}"));
    }

    /// <inheritdoc />
    public bool Equals(ScenarioOutcome? other) => other is not null && DifferingFields(other).Count == 0;

    /// <inheritdoc />
    public override int GetHashCode() => Describe().GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Describe();
}

/// <summary>A failure's type and message, with its inner failure (stack traces are left out).</summary>
/// <param name="ErrorType">The failure's type name.</param>
/// <param name="ErrorMessage">The failure's message, normalized.</param>
/// <param name="Inner">The inner failure.</param>
public sealed record FailureOutcome(string ErrorType, string ErrorMessage, FailureOutcome? Inner = null)
{
    /// <summary>Converts failure details, normalizing the messages.</summary>
    /// <param name="details">The details.</param>
    /// <param name="normalize">Replaces instance ids.</param>
    /// <returns>The failure, or null.</returns>
    public static FailureOutcome? From(TaskFailureDetails? details, Func<string, string> normalize)
    {
        ArgumentNullException.ThrowIfNull(normalize);
        return details is null ? null : new(details.ErrorType, normalize(details.ErrorMessage), From(details.InnerFailure, normalize));
    }

    /// <inheritdoc />
    public override string ToString() => Inner is null ? $"{ErrorType}: {ErrorMessage}" : $"{ErrorType}: {ErrorMessage} <- {Inner}";
}
