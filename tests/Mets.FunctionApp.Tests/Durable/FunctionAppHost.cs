using Mets.FunctionApp.Durable;
using Mets.FunctionApp.Maintenance;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Moq;

namespace Mets.FunctionApp.Tests.Durable;

/// <summary>
/// The function app's own service composition (<see cref="FunctionAppServiceCollectionExtensions.AddMetsFunctionApp"/>,
/// what Program.cs calls) over the workflow test settings plus the test's sections (Cosmos, ClaimsStorage, SendGrid),
/// with fake logging and metrics; options validated and hosted services (the Cosmos start-up check) started as the host
/// would. <see cref="Invoke"/> gives what the worker gives a function invocation: a scope of the app's services (its
/// FunctionContext.InstanceServices) and, optionally, the invocation's DurableTaskClient handed over.
/// </summary>
internal sealed class FunctionAppHost : IAsyncDisposable
{
    private FunctionAppHost(string folder, ServiceProvider provider, IConfiguration configuration)
    {
        Folder = folder;
        Provider = provider;
        Configuration = configuration;
    }

    public string Folder { get; }

    public ServiceProvider Provider { get; }

    public IConfiguration Configuration { get; }

    public FakeLogCollector Logs => Provider.GetFakeLogCollector();

    public static async Task<FunctionAppHost> StartAsync(
        IReadOnlyDictionary<string, string?>? sections = null,
        Action<IServiceCollection>? before = null,
        Action<IServiceCollection>? after = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-functionapp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var settings = Mets.Azure.Tests.WorkflowTestSettings.For(folder);
        settings[MaintenanceSchedules.RepairSweepSetting] = MaintenanceSchedules.RepairSweepDefault;
        settings[MaintenanceSchedules.HistoryPurgeSetting] = MaintenanceSchedules.HistoryPurgeDefault;
        settings[MaintenanceSchedules.AnchorSweepSetting] = MaintenanceSchedules.AnchorSweepDefault;
        foreach (var (key, value) in Http.TestTokens.EntraSettings())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in sections ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
            .AddFakeLogging()
            .AddMetrics();
        before?.Invoke(services);
        services.AddMetsFunctionApp(configuration);
        after?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return new FunctionAppHost(folder, provider, configuration);
    }

    /// <summary>One function invocation's services (dispose it when the invocation is over).</summary>
    public Invocation Invoke(DurableTaskClient? client = null, CancellationToken cancellationToken = default)
    {
        var scope = Provider.CreateAsyncScope();
        if (client is not null)
        {
            scope.ServiceProvider.GetRequiredService<InvocationDurableClient>().Use(client);
        }

        return new Invocation(scope, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in Provider.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await Provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder left behind fails no test
        }
    }
}

/// <summary>A function invocation: its scope of services and a FunctionContext over them (what the worker passes).</summary>
internal sealed class Invocation(AsyncServiceScope scope, CancellationToken cancellationToken) : IAsyncDisposable
{
    public IServiceProvider Services => scope.ServiceProvider;

    public FunctionContext Context { get; } = CreateContext(scope.ServiceProvider, cancellationToken);

    /// <summary>The function class as the worker creates it: from the invocation's services.</summary>
    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    public ValueTask DisposeAsync() => scope.DisposeAsync();

    public static FunctionContext CreateContext(IServiceProvider services, CancellationToken cancellationToken)
    {
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.InstanceServices).Returns(services);
        context.SetupGet(c => c.CancellationToken).Returns(cancellationToken);
        context.SetupGet(c => c.InvocationId).Returns(Guid.NewGuid().ToString("N"));
        return context.Object;
    }
}
