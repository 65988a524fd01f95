using Microsoft.AspNetCore.Builder;

namespace Mets.Api.Logging;

/// <summary>
/// Route values the request log may show. By default the log shows a route's pattern
/// (<c>/api/provider-responses/{token}</c>), never the values: a route value may be a signed token or
/// a member's identifier. Mark a value as loggable only when it is neither (e.g. an engagement id).
/// </summary>
public sealed class LoggedRouteValuesMetadata(IReadOnlyCollection<string> names)
{
    public IReadOnlyCollection<string> Names { get; } = names;
}

public static class LoggedRouteValuesExtensions
{
    /// <summary>Lets the request log show these route values instead of their <c>{name}</c> placeholder.</summary>
    public static TBuilder WithLoggedRouteValues<TBuilder>(this TBuilder builder, params string[] names)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new LoggedRouteValuesMetadata(names));
    }
}
