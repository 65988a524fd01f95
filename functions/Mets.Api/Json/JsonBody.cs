using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mets.Api.Json;

/// <summary>The outcome of reading a JSON body: either the value or the problem details answer to return.</summary>
public sealed class JsonBody<T>
{
    private JsonBody(T? value, ProblemHttpResult? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public ProblemHttpResult? Problem { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool IsValid => Problem is null;

    internal static JsonBody<T> Valid(T value) => new(value, null);

    internal static JsonBody<T> Invalid(ProblemHttpResult problem) => new(default, problem);
}
