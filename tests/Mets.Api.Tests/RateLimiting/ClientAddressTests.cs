using System.Net;
using Mets.Api.Tests.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Mets.Api.Tests.RateLimiting;

/// <summary>
/// The address the provider-link limit keys on, through the real Mets.Api pipeline (the local host's): the
/// connection's, unless it is a proxy of <c>Mets:Api:TrustedProxies</c>, whose <c>X-Forwarded-For</c> entry then names
/// the client. Whatever a client writes into the header itself never changes its key.
/// </summary>
public sealed class ClientAddressTests
{
    private const string TrustedProxy = "10.0.0.5";
    private const string SecondProxy = "10.1.2.3"; // in the trusted range 10.1.0.0/16

    private static Task<ApiTestHost> StartAsync(params string[] trustedProxies)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mets:Api:ProviderLinkPermitLimit"] = "3",
            ["Mets:Api:ProviderLinkWindow"] = "01:00:00",
        };
        for (var i = 0; i < trustedProxies.Length; i++)
        {
            settings[$"Mets:Api:TrustedProxies:{i}"] = trustedProxies[i];
        }

        return ApiTestHost.StartAsync(ProbeEndpoints.Map, settings);
    }

    /// <summary>A provider-link request arriving from <paramref name="connection"/> with this X-Forwarded-For (null: none).</summary>
    private static Task<HttpContext> ShowLinkAsync(ApiTestHost host, string connection, string? forwardedFor) => host.Server.SendAsync(context =>
    {
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/api/provider-responses/some-token/probe";
        context.Connection.RemoteIpAddress = IPAddress.Parse(connection);
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }
    });

    /// <summary>Four requests from one sender, each with another spoofed first entry: the fourth is over the limit of 3.</summary>
    private static async Task<List<HttpContext>> FourWithSpoofsAsync(ApiTestHost host, string connection, Func<int, string> forwardedFor)
    {
        var answers = new List<HttpContext>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await ShowLinkAsync(host, connection, forwardedFor(i)));
        }

        return answers;
    }

    private static void KeyedOn(string client, IReadOnlyList<HttpContext> four)
    {
        Assert.All(four, answer => Assert.Equal(IPAddress.Parse(client), answer.Connection.RemoteIpAddress));
        Assert.Equal([200, 200, 200, 429], four.Select(a => a.Response.StatusCode));
    }

    [Theory]
    [InlineData("198.51.100.7")]
    [InlineData("127.0.0.1")] // ASP.NET Core's own default would trust loopback; nothing is trusted unless configured
    public async Task NoTrustedProxy_XForwardedForIsIgnored(string connection)
    {
        await using var host = await StartAsync();

        var four = await FourWithSpoofsAsync(host, connection, i => $"203.0.113.{i + 1}");

        KeyedOn(connection, four);
    }

    [Fact]
    public async Task BehindATrustedProxy_EachClientIsKeyedOnItsOwnAddress()
    {
        await using var host = await StartAsync(TrustedProxy);

        var first = await FourWithSpoofsAsync(host, TrustedProxy, _ => "203.0.113.20");
        var second = await ShowLinkAsync(host, TrustedProxy, "203.0.113.21");

        KeyedOn("203.0.113.20", first);
        Assert.Equal(StatusCodes.Status200OK, second.Response.StatusCode);
        Assert.Equal(IPAddress.Parse("203.0.113.21"), second.Connection.RemoteIpAddress);
    }

    [Fact]
    public async Task BehindATrustedProxy_AClientsOwnXForwardedForEntriesDoNotChangeItsKey()
    {
        await using var host = await StartAsync(TrustedProxy);

        // The client sent "X-Forwarded-For: <anything>"; the proxy appended the address it saw.
        var four = await FourWithSpoofsAsync(host, TrustedProxy, i => $"192.0.2.{i + 1}, 203.0.113.30");

        KeyedOn("203.0.113.30", four);
    }

    [Fact]
    public async Task WithATrustedProxy_AnUntrustedSendersXForwardedForIsIgnored()
    {
        await using var host = await StartAsync(TrustedProxy);

        var four = await FourWithSpoofsAsync(host, "198.51.100.40", i => $"203.0.113.{i + 1}, {TrustedProxy}");

        KeyedOn("198.51.100.40", four);
    }

    [Fact]
    public async Task ThroughTwoTrustedProxies_TheFirstUntrustedHopIsTheClient()
    {
        await using var host = await StartAsync(TrustedProxy, "10.1.0.0/16");

        var four = await FourWithSpoofsAsync(host, TrustedProxy, i => $"192.0.2.{i + 1}, 203.0.113.50, {SecondProxy}");

        KeyedOn("203.0.113.50", four);
    }
}
