using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mets.Api.Problems;

/// <summary>
/// Field-level errors of one request, keyed by JSON path (<c>$.member.dateOfBirth</c>,
/// <c>$.goals[1].text</c>, <c>$</c> for the body as a whole). Messages say what is expected and
/// never repeat the submitted value.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public int Count => _errors.Values.Sum(list => list.Count);

    /// <summary>Adds an error for a field. A path without a leading <c>$</c> is taken as relative to the body.</summary>
    public FieldErrors Add(string path, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        var key = path.StartsWith('$') ? path : "$." + path;
        if (!_errors.TryGetValue(key, out var list))
        {
            list = [];
            _errors[key] = list;
        }

        if (!list.Contains(message, StringComparer.Ordinal))
        {
            list.Add(message);
        }

        return this;
    }

    /// <summary>Adds the error when <paramref name="condition"/> is false; reads as "require that ...".</summary>
    public FieldErrors Require(bool condition, string path, string message) => condition ? this : Add(path, message);

    /// <summary>Requires a non-blank string of at most <paramref name="maxLength"/> characters.</summary>
    public FieldErrors RequireText(string? value, string path, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(path, "is required and must not be blank.");
        }

        return Require(value.Length <= maxLength, path, $"must be at most {maxLength} characters long.");
    }

    /// <summary>Merges errors found for a nested object, under <paramref name="prefix"/>.</summary>
    public FieldErrors AddNested(string prefix, FieldErrors nested)
    {
        ArgumentNullException.ThrowIfNull(nested);
        var root = prefix.StartsWith('$') ? prefix : "$." + prefix;
        foreach (var (path, messages) in nested._errors)
        {
            foreach (var message in messages)
            {
                Add(root + path[1..], message);
            }
        }

        return this;
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>The 400 problem details answer for these errors.</summary>
    public ProblemHttpResult ToProblem(string title = "The request is not valid.") => Problem.Validation(this, title);
}
