using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Mets.Api.RateLimiting;

/// <summary>
/// Which <c>X-Forwarded-For</c> entries a host believes, so that <see cref="ProviderLinkRateLimit"/> (which keys on
/// <c>HttpContext.Connection.RemoteIpAddress</c>) counts the real client behind a proxy and a client cannot pick its
/// own key. ASP.NET Core's forwarded-headers middleware does the work, with the proxies from
/// <c>Mets:Api:TrustedProxies</c> (plus, on the function app, the Functions host on loopback): walking the header from
/// the right, each entry added by a trusted hop replaces the address, and the first untrusted hop's entry is the
/// client. Entries a client wrote itself sit left of that and are never read.
/// </summary>
public static class TrustedProxies
{
    /// <summary>
    /// Sets the forwarded-headers options for <paramref name="proxies"/> and <paramref name="host"/> (hops that are
    /// always trusted: the function app's Functions host). With nothing trusted the middleware is switched off
    /// (<see cref="ForwardedHeaders.None"/>): empty proxy lists would otherwise mean "trust every hop". The lists are
    /// replaced, not added to: ASP.NET Core's default trusts loopback, and ASPNETCORE_FORWARDEDHEADERS_ENABLED clears
    /// them to trust everyone. Entries that do not parse are skipped (<see cref="ApiLimitsOptions"/> names them at start).
    /// </summary>
    public static void Apply(ForwardedHeadersOptions options, IEnumerable<string> proxies, IEnumerable<IPAddress> host)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(proxies);
        ArgumentNullException.ThrowIfNull(host);
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var address in host)
        {
            options.KnownProxies.Add(address);
        }

        foreach (var proxy in proxies)
        {
            if (TryParse(proxy, out var address, out var network))
            {
                if (address is not null)
                {
                    options.KnownProxies.Add(address);
                }
                else
                {
                    options.KnownIPNetworks.Add(network!.Value);
                }
            }
        }

        if (options.KnownProxies.Count == 0 && options.KnownIPNetworks.Count == 0)
        {
            options.ForwardedHeaders = ForwardedHeaders.None;
            return;
        }

        options.ForwardedHeaders |= ForwardedHeaders.XForwardedFor;
        options.ForwardLimit = null; // as many trusted hops as there are; the first untrusted one stops the walk
    }

    /// <summary>An IP address (<paramref name="address"/>) or a CIDR range (<paramref name="network"/>).</summary>
    public static bool TryParse(string? text, out IPAddress? address, out System.Net.IPNetwork? network)
    {
        address = null;
        network = null;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value.Contains('/', StringComparison.Ordinal))
        {
            if (System.Net.IPNetwork.TryParse(value, out var parsed))
            {
                network = parsed;
                return true;
            }

            return false;
        }

        return IPAddress.TryParse(value, out address);
    }
}
