using Mets.Api.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Mets.Api.Tests.Hosting;

/// <summary>
/// The real Mets.Api pipeline (AddMetsApi, UseMetsApi, MapMetsApi) on an in-memory TestServer, in
/// the Development environment (the one most tempted to show exception details), with every log
/// record captured at Trace level.
/// </summary>
internal sealed class ApiTestHost : IAsyncDisposable
{
    public const string UserKey = "user-key-0123456789-abcdefghij";
    public const string UserName = "clinician.one";
    public const string SecondUserKey = "user-key-second-0123456789-xyz";
    public const string SecondUserName = "supervisor.two";
    public const string AdminKey = "admin-key-0123456789-abcdefghij";

    private ApiTestHost(WebApplication app)
    {
        App = app;
        Client = app.GetTestClient();
        Logs = app.Services.GetFakeLogCollector();
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public FakeLogCollector Logs { get; }

    public TestServer Server => App.GetTestServer();

    public static async Task<ApiTestHost> StartAsync(
        Action<MetsRouteGroups, WebApplication>? map = null,
        IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(DefaultSettings(settings));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFakeLogging();
        builder.Services.AddMetsApi(builder.Configuration);

        var app = builder.Build();
        try
        {
            app.UseMetsApi();
            var groups = app.MapMetsApi();
            map?.Invoke(groups, app);
            await app.StartAsync();
            return new ApiTestHost(app);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static Dictionary<string, string?> DefaultSettings(IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mets:ApiKeys:0:Key"] = UserKey,
            ["Mets:ApiKeys:0:User"] = UserName,
            ["Mets:ApiKeys:1:Key"] = SecondUserKey,
            ["Mets:ApiKeys:1:User"] = SecondUserName,
            ["Mets:AdminKey"] = AdminKey,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? key = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
