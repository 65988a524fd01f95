using Mets.Api.Problems;
using Microsoft.AspNetCore.Http;

namespace Mets.FunctionApp.Http;

/// <summary>Query values bound the way the local host's minimal API binds them (an absent or empty value is null).</summary>
internal static class HttpQuery
{
    public static string? Text(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Query[name];
        return Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(values) ? null : values.ToString();
    }

    /// <summary>A true/false query value; a value that is neither answers 400 like the local host's binding does.</summary>
    public static bool TryFlag(HttpRequest request, string name, out bool? value, out IResult? problem)
    {
        value = null;
        problem = null;
        var text = Text(request, name);
        if (text is null)
        {
            return true;
        }

        if (bool.TryParse(text, out var parsed))
        {
            value = parsed;
            return true;
        }

        problem = new FieldErrors().Add(name, "must be true or false.").ToProblem("The query is not valid.");
        return false;
    }
}
