using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.Json;
using Mets.FunctionApp.Http;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Moq;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// The function app's real container (<see cref="FunctionAppServiceCollectionExtensions.AddMetsFunctionApp"/>, the
/// embedded SQLite stores in a temporary folder since no Cosmos section is configured) and its real HTTP middleware,
/// invoked the way the worker's ASP.NET Core integration does: a <see cref="FunctionContext"/> (Moq) whose
/// <c>Items["HttpRequestContext"]</c> holds the request's <see cref="HttpContext"/> (what <c>GetHttpContext()</c>
/// reads), whose <c>InstanceServices</c> is the invocation's scope, and whose invocation result is the worker's own
/// bindings feature. Every log record is captured at Trace level. The one test-only change: the JwtBearer handler
/// gets the test signing key as the tenant's OpenID metadata (no network), with the tenant's issuer.
/// </summary>
internal sealed class FunctionAppTestHost : IAsyncDisposable
{
    private readonly string _dataFolder;

    private FunctionAppTestHost(ServiceProvider services, string dataFolder)
    {
        Services = services;
        _dataFolder = dataFolder;
        Logs = services.GetFakeLogCollector();
    }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs { get; }

    /// <summary>The durable client every function invocation gets (Moq: scheduling and events are recorded, not run).</summary>
    public Mock<DurableTaskClient> Durable { get; } = NewDurableClient();

    public static FunctionAppTestHost Start(IDictionary<string, string?>? settings = null)
    {
        var dataFolder = Directory.CreateTempSubdirectory("mets-funcapp-http-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(dataFolder, settings)).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddMetsFunctionApp(configuration);
        services.PostConfigure<JwtBearerOptions>(EntraDefaults.AuthenticationScheme, jwt =>
            jwt.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(TestMetadata()));
        return new FunctionAppTestHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }), dataFolder);
    }

    /// <summary>The app built the way Program.cs builds it (not started: there is no Functions host here).</summary>
    public static IHost BuildApp(IDictionary<string, string?> settings)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddMetsFunctionApp(builder.Configuration);
        builder.UseMetsFunctionMiddleware();
        return builder.Build();
    }

    public static Dictionary<string, string?> Settings(string dataFolder, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mets:Workflow:DataFolder"] = dataFolder,
            ["Mets:Workflow:MailFrom"] = "mets@example.org",
            ["Claims:Store:DatabasePath"] = Path.Combine(dataFolder, "claims.db"),
            ["Mets:ProviderLinks:BaseUrl"] = "https://mets.example.org/api/provider-responses",
            ["Mets:ProviderLinks:ActiveKeyId"] = "k1",
            ["Mets:ProviderLinks:Keys:k1"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
            ["Mets:Roster:Clinicians:0:Id"] = TestTokens.ClinicianUser,
            ["Mets:Roster:Clinicians:0:Email"] = "clinician.one@example.org",
            ["Mets:Roster:Supervisors:0:Id"] = TestTokens.SupervisorUser,
            ["Mets:Roster:Supervisors:0:Email"] = "supervisor.one@example.org",
            ["Mets:Roster:MedicalDirectors:0:Id"] = "medical.director",
            ["Mets:Roster:MedicalDirectors:0:Email"] = "medical.director@example.org",
            ["Mets:ClaimsIntake:PayerCode"] = "PLAN",
        };
        foreach (var (key, value) in TestTokens.EntraSettings())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The tenant's metadata as the test knows it: its issuer and the test signing key.</summary>
    private static OpenIdConnectConfiguration TestMetadata()
    {
        var metadata = new OpenIdConnectConfiguration { Issuer = TestTokens.Issuer };
        metadata.SigningKeys.Add(TestTokens.SigningKey);
        return metadata;
    }

    private static Mock<DurableTaskClient> NewDurableClient()
    {
        var client = new Mock<DurableTaskClient>(MockBehavior.Loose, "test-hub");
        client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Returns((TaskName _, object? _, StartOrchestrationOptions? options, CancellationToken _) => Task.FromResult(options?.InstanceId ?? "instance"));
        return client;
    }

    /// <summary>A request as the worker's ASP.NET Core side hands it over (route values set by its routing).</summary>
    public static DefaultHttpContext Request(
        string method,
        string path,
        string? bearer = null,
        string? body = null,
        string contentType = "application/json",
        IDictionary<string, string>? routeValues = null,
        string clientAddress = "203.0.113.10")
    {
        var http = new DefaultHttpContext();
        var question = path.IndexOf('?', StringComparison.Ordinal);
        http.Request.Method = method;
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("mets-func.example.net");
        http.Request.Path = question < 0 ? path : path[..question];
        http.Request.QueryString = question < 0 ? QueryString.Empty : new QueryString(path[question..]);
        http.Connection.RemoteIpAddress = IPAddress.Parse(clientAddress);
        if (bearer is not null)
        {
            http.Request.Headers.Authorization = "Bearer " + bearer;
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentLength = bytes.Length;
            http.Request.ContentType = contentType;
        }

        foreach (var (name, value) in routeValues ?? new Dictionary<string, string>())
        {
            http.Request.RouteValues[name] = value;
        }

        http.Response.Body = new MemoryStream();
        return http;
    }

    /// <summary>
    /// Runs one invocation of <paramref name="functionName"/> through the app's HTTP middleware; the function is
    /// <paramref name="function"/> (normally the real function method, given the context's durable client).
    /// </summary>
    public async Task<Answer> InvokeAsync(string functionName, HttpContext http, Func<FunctionContext, DurableTaskClient, Task<IResult>> function)
    {
        await using var scope = Services.CreateAsyncScope();
        http.RequestServices = scope.ServiceProvider;
        var context = NewFunctionContext(functionName, http, scope.ServiceProvider);
        var middleware = ActivatorUtilities.CreateInstance<MetsHttpMiddleware>(Services);
        var invoked = false;
        await middleware.Invoke(context, async ctx =>
        {
            invoked = true;
            ctx.GetInvocationResult().Value = await function(ctx, Durable.Object);
        });

        var leftover = context.GetInvocationResult().Value;
        return await Answer.ReadAsync(http, invoked, leftover);
    }

    /// <summary>A <see cref="FunctionContext"/> the way the worker gives one to middleware (Moq, with the worker's own features).</summary>
    public static FunctionContext NewFunctionContext(string functionName, HttpContext http, IServiceProvider services)
    {
        var trigger = new Mock<BindingMetadata>();
        trigger.SetupGet(b => b.Name).Returns("request");
        trigger.SetupGet(b => b.Type).Returns("httpTrigger");
        trigger.SetupGet(b => b.Direction).Returns(BindingDirection.In);
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.Name).Returns(functionName);
        definition.SetupGet(d => d.InputBindings).Returns(ImmutableDictionary<string, BindingMetadata>.Empty.Add("request", trigger.Object));
        definition.SetupGet(d => d.OutputBindings).Returns(ImmutableDictionary<string, BindingMetadata>.Empty);

        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        context.SetupGet(c => c.FunctionId).Returns(functionName + "-id");
        context.SetupGet(c => c.InvocationId).Returns(Guid.NewGuid().ToString());
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        context.SetupProperty(c => c.InstanceServices, services);
        context.SetupGet(c => c.Features).Returns(new TestInvocationFeatures());
        context.SetupGet(c => c.CancellationToken).Returns(CancellationToken.None);
        return context.Object;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on this platform: the temporary folder is left for the OS.
        }
    }

    /// <summary>
    /// The invocation's features as the worker's gRPC layer sets them; the bindings feature (internal to the worker,
    /// whose assembly lets Moq's proxies see it) holds the invocation result that <c>GetInvocationResult()</c> reads
    /// and writes.
    /// </summary>
    private sealed class TestInvocationFeatures : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _features = [];

        public TestInvocationFeatures()
        {
            var bindingsType = typeof(FunctionContext).Assembly.GetType("Microsoft.Azure.Functions.Worker.Context.Features.IFunctionBindingsFeature", throwOnError: true)!;
            var mock = (Mock)Activator.CreateInstance(typeof(Mock<>).MakeGenericType(bindingsType))!;
            mock.GetType().GetMethod("SetupAllProperties")!.Invoke(mock, null);
            _features[bindingsType] = mock.Object;
        }

        public T? Get<T>() => _features.TryGetValue(typeof(T), out var feature) ? (T)feature : default;

        public void Set<T>(T instance) => _features[typeof(T)] = instance!;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>What the caller got: status, headers, body; whether the function ran; what the integration would still execute.</summary>
internal sealed record Answer(int Status, IHeaderDictionary Headers, string? ContentType, string Body, bool FunctionRan, object? Leftover)
{
    public static async Task<Answer> ReadAsync(HttpContext http, bool functionRan, object? leftover)
    {
        http.Response.Body.Position = 0;
        using var reader = new StreamReader(http.Response.Body, Encoding.UTF8, leaveOpen: true);
        var body = await reader.ReadToEndAsync();
        return new Answer(http.Response.StatusCode, http.Response.Headers, http.Response.ContentType, body, functionRan, leftover);
    }

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>An RFC 9457 problem answer: its content type and title.</summary>
    public string ProblemTitle
    {
        get
        {
            Assert.Equal("application/problem+json", ContentType);
            return Json.GetProperty("title").GetString() ?? string.Empty;
        }
    }
}
