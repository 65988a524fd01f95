using System.Net;
using Mets.FunctionApp.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// The address the provider-link limit keys on in the function app. On Azure a request reaches the worker through the
/// Functions host, which proxies it over loopback and appends the address it saw to <c>X-Forwarded-For</c>; the ASP.NET
/// Core integration then runs ASP.NET Core's forwarded-headers middleware with the app's options. Here that middleware
/// runs with the options of the app built as Program.cs builds it (the integration's and the app's), then the
/// invocation goes through the app's middleware and its provider-link limit (3 per hour).
/// </summary>
public sealed class ClientAddressTests : IDisposable
{
    private const string FunctionsHost = "127.0.0.1";
    private const string FrontEnd = "10.0.0.5";

    private readonly string _dataFolder = Directory.CreateTempSubdirectory("mets-funcapp-forwarded-").FullName;

    public void Dispose() => Directory.Delete(_dataFolder, recursive: true);

    /// <summary>The limit of 3 an hour, and these proxies as Mets:Api:TrustedProxies.</summary>
    private static Dictionary<string, string?> Settings(params string[] trustedProxies)
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

        return settings;
    }

    /// <summary>The forwarded-headers options of the app built as Program.cs builds it.</summary>
    private IOptions<ForwardedHeadersOptions> ForwardedOptions(Dictionary<string, string?> settings)
    {
        using var app = FunctionAppTestHost.BuildApp(FunctionAppTestHost.Settings(_dataFolder, settings));
        return Options.Create(app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value);
    }

    /// <summary>Four provider-link requests arriving from <paramref name="connection"/>, each with its own X-Forwarded-For.</summary>
    private async Task<List<(IPAddress? Key, Answer Answer)>> FourAsync(Dictionary<string, string?> settings, string connection, Func<int, string> forwardedFor)
    {
        var forwarded = new ForwardedHeadersMiddleware(_ => Task.CompletedTask, NullLoggerFactory.Instance, ForwardedOptions(settings));
        await using var host = FunctionAppTestHost.Start(settings);
        var answers = new List<(IPAddress?, Answer)>();
        for (var i = 0; i < 4; i++)
        {
            var http = FunctionAppTestHost.Request("GET", "/api/provider-responses/t", clientAddress: connection);
            http.Request.Headers["X-Forwarded-For"] = forwardedFor(i);
            await forwarded.Invoke(http);
            var answer = await host.InvokeAsync(HttpFunctionRoutes.ShowProviderRequest, http,
                (context, client) => ProviderResponseFunctions.ShowProviderRequest(context.GetHttpContext()!.Request, "t", client, context, CancellationToken.None));
            answers.Add((http.Connection.RemoteIpAddress, answer));
        }

        return answers;
    }

    private static void KeyedOn(string client, List<(IPAddress? Key, Answer Answer)> four)
    {
        Assert.All(four, a => Assert.Equal(IPAddress.Parse(client), a.Key));
        Assert.Equal([true, true, true, false], four.Select(a => a.Answer.FunctionRan));
        Assert.Equal(StatusCodes.Status429TooManyRequests, four[3].Answer.Status);
    }

    [Fact]
    public void Options_KeepTheIntegrationsHeaders_TrustTheFunctionsHostAndTheConfiguredProxiesOnly()
    {
        var options = ForwardedOptions(Settings(FrontEnd, "10.1.0.0/16"));

        Assert.Equal(ForwardedHeaders.All, options.Value.ForwardedHeaders); // ConfigureFunctionsWebApplication's choice
        Assert.Null(options.Value.ForwardLimit);
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse(FrontEnd)], options.Value.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("10.1.0.0/16")], options.Value.KnownIPNetworks);
    }

    [Fact]
    public async Task NoProxyConfigured_TheAddressTheFunctionsHostSaw_WhateverTheClientWrote()
    {
        var four = await FourAsync(Settings(), FunctionsHost, i => $"203.0.113.{i + 1}, 198.51.100.1");

        KeyedOn("198.51.100.1", four);
    }

    [Fact]
    public async Task NoProxyConfigured_BehindAFrontEnd_EveryClientSharesTheFrontEndsKey()
    {
        // What an unconfigured app gets if the Functions host saw only the front end: one window for everyone
        // (stricter, not spoofable). Mets:Api:TrustedProxies with the front end's addresses fixes it (next test).
        var four = await FourAsync(Settings(), FunctionsHost, i => $"203.0.113.{i + 1}, {FrontEnd}");

        KeyedOn(FrontEnd, four);
    }

    [Fact]
    public async Task FrontEndConfigured_TheClientTheFrontEndSaw_WhateverTheClientWrote()
    {
        var four = await FourAsync(Settings(FrontEnd), FunctionsHost, i => $"192.0.2.{i + 1}, 203.0.113.60, {FrontEnd}");

        KeyedOn("203.0.113.60", four);
    }

    [Fact]
    public async Task NotThroughTheFunctionsHost_XForwardedForIsIgnored()
    {
        var four = await FourAsync(Settings(FrontEnd), "198.51.100.9", i => $"203.0.113.{i + 1}, {FrontEnd}");

        KeyedOn("198.51.100.9", four);
    }
}
