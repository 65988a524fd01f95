using Microsoft.AspNetCore.Routing;

namespace Mets.Api.Routing;

/// <summary>
/// The places an endpoint can live. Each group carries its protection, so an endpoint mapped
/// into a group cannot forget it, and a route mapped outside them still needs an API key (the
/// fallback policy).
/// </summary>
public sealed class MetsRouteGroups(RouteGroupBuilder api, RouteGroupBuilder providerLinks, RouteGroupBuilder management, RouteGroupBuilder providerFeedback)
{
    /// <summary><c>/api</c>: needs one of the API keys; the handler gets the caller as an <c>Actor</c>.</summary>
    public RouteGroupBuilder Api { get; } = api;

    /// <summary>
    /// <c>/api/provider-responses/{token}</c>: anonymous (the signed token is the proof),
    /// rate-limited per client address; the request log never shows the token.
    /// </summary>
    public RouteGroupBuilder ProviderLinks { get; } = providerLinks;

    /// <summary>
    /// <c>/api/provider-feedback/{token}</c>: the provider's scorecard page behind the signed link in the feedback email;
    /// anonymous (the signed token is the proof), rate-limited per client address like the provider links.
    /// </summary>
    public RouteGroupBuilder ProviderFeedback { get; } = providerFeedback;

    /// <summary><c>/runtime/webhooks/durabletask</c>: the embedded engine's management routes; admin key only.</summary>
    public RouteGroupBuilder Management { get; } = management;
}
