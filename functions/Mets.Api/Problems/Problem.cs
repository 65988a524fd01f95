using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Api.Problems;

/// <summary>
/// RFC 9457 problem details answers. Handlers return these; middleware writes them with
/// <see cref="WriteAsync"/>. Titles and details are fixed texts: never put a submitted value in them.
/// </summary>
public static class Problem
{
    /// <summary>400 with field-level <c>errors</c>.</summary>
    public static ProblemHttpResult Validation(FieldErrors errors, string title = "The request is not valid.")
    {
        ArgumentNullException.ThrowIfNull(errors);
        var problem = new HttpValidationProblemDetails(errors.ToDictionary().ToDictionary(e => e.Key, e => e.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = title,
        };
        return TypedResults.Problem(problem);
    }

    /// <summary>409: the resource is not in a state that allows the request (e.g. not at that workflow step).</summary>
    public static ProblemHttpResult Conflict(string title, string? detail = null) => Of(StatusCodes.Status409Conflict, title, detail);

    /// <summary>404 for a resource that does not exist.</summary>
    public static ProblemHttpResult NotFound(string title, string? detail = null) => Of(StatusCodes.Status404NotFound, title, detail);

    /// <summary>Any status with a fixed title and detail.</summary>
    public static ProblemHttpResult Of(int status, string title, string? detail = null) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });

    /// <summary>Any status with a fixed title and detail, plus a machine-readable <c>code</c> member (e.g. <c>NotExpectedNow</c>).</summary>
    public static ProblemHttpResult WithCode(int status, string title, string? detail, string code)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        return TypedResults.Problem(problem);
    }

    /// <summary>Writes a problem details body from middleware (authentication, limits, exceptions).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ProblemDetails problem = errors is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        context.Response.StatusCode = status;

        // The result applies the defaults (type, title) and writes through the problem details service, or as
        // application/problem+json itself when the service declines (a caller whose Accept header lists no JSON).
        await TypedResults.Problem(problem).ExecuteAsync(context).ConfigureAwait(false);
    }
}
