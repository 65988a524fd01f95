using System.Diagnostics;
using Mets.Azure.Tests.ClaimsStorage;
using Mets.Azure.Tests.Cosmos;
using Mets.Azure.Tests.Emails;
using Mets.Domain.Assessments;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.FunctionApp.Tests.Durable;
using Mets.FunctionApp.Tests.Maintenance;
using Mets.Workflow;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;
using Mets.Workflow.Maintenance;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Mets.FunctionApp.Tests.Lifecycle;

/// <summary>
/// The METS lifecycle through the function app's own composition (AddMetsFunctionApp: cases on the Cosmos test server,
/// claims blobs on Azurite, email through SendGrid to the loopback capture server) on Microsoft's runtime
/// (Microsoft.DurableTask.InProcessTestHost): the orchestrator and activity functions of the app are what runs (each
/// function class created from the app's services per invocation, its method called as the worker calls it), under the
/// names the app's functions have. Referral, assessment, the provider's outreach email captured by the SendGrid server,
/// two reviews, closure with its summary; then the history purge (90 days later by its clock) removes the engagement's
/// and the outreach's history and keeps the case document.
/// </summary>
public sealed class FunctionAppLifecycleTests(CosmosServerFixture cosmos, AzuriteFixture azurite, ITestOutputHelper output)
    : IClassFixture<CosmosServerFixture>, IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string ProviderEmail = "clinic@provider.example";
    private readonly Changes _changes = new();
    private SendGridCaptureServer _sendGrid = null!;
    private FunctionAppHost _app = null!;
    private DurableTaskTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _sendGrid = await SendGridCaptureServer.StartAsync();
        var database = cosmos.Options();
        var prefix = "lc-" + Guid.NewGuid().ToString("N")[..10];
        _app = await FunctionAppHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Cosmos:Endpoint"] = database.Endpoint!.ToString(),
                ["Cosmos:Database"] = database.Database,
                ["Cosmos:Key"] = database.Key,
                ["Cosmos:TestServer"] = "true",
                ["Cosmos:CreateIfNotExists"] = "true",
                ["Cosmos:StartupTimeout"] = "00:01:00", // creating the containers on a loaded 2-core machine took over 5 s
                ["ClaimsStorage:ConnectionString"] = azurite.ConnectionString,
                ["ClaimsStorage:Container"] = prefix + "-inbox",
                ["ClaimsStorage:ProcessedContainer"] = prefix + "-processed",
                ["ClaimsStorage:QuarantineContainer"] = prefix + "-quarantine",
                ["SendGrid:ApiKey"] = "SG.lifecycle-test",
                ["SendGrid:Host"] = _sendGrid.Address,
            },
            after: services =>
            {
                Decorate<ICaseStore>(services, (sp, inner) => new SignalingCaseStore(inner, _changes));
                Decorate<IEmailSender>(services, (sp, inner) => new SignalingEmailSender(inner, _changes));
            });
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _host = await DurableTaskTestHost.StartAsync(
                    registry => registry.AddAppFunctions(() => _app.Provider, () => _host!.Client),
                    new DurableTaskTestHostOptions { LoggerFactory = _app.Provider.GetRequiredService<ILoggerFactory>() });
                break;
            }
            catch (IOException) when (attempt < 3)
            {
                // the randomly chosen port was taken: try another
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _app.DisposeAsync();
        await _sendGrid.DisposeAsync();
    }

    [Fact]
    public async Task Referral_Assessment_OutreachEmail_Reviews_Closure_ThenHistoryPurged()
    {
        var watch = Stopwatch.StartNew();
        var client = _host.Client;
        var store = _app.Provider.GetRequiredService<ICaseStore>();
        var clinician = StaffId.Parse("clin.reyes");

        var id = await MaintenanceTestData.SubmitAsync(_app, client, "REF-LC-1", "LC0001", DateTimeOffset.UtcNow, withProvider: true);
        await Until("the engagement started (StartEngagementActivity function)", async () => await store.GetAsync(id) is { Status: EngagementStatus.Open, AssignedClinician: not null });

        Assert.Equal(CommandStatus.Accepted, (await Command(s => s.RecordAssessmentAsync(id, new Assessment(LifecycleScores.Moderate(), ["synthetic goal"], clinician, DateTimeOffset.UtcNow)))).Status);
        await Until("review 1 open", async () => (await store.GetAsync(id))?.CurrentStep.Step == StepReference.Review(1));
        await Until("the provider's collaboration request sent through SendGrid", () => Task.FromResult(_sendGrid.Sends.Any(s => s.RawBody.Contains(ProviderEmail, StringComparison.Ordinal))));
        var request = _sendGrid.Sends.First(s => s.RawBody.Contains(ProviderEmail, StringComparison.Ordinal));
        Assert.Contains("/provider-responses/", request.RawBody, StringComparison.Ordinal); // the signed link
        var outreach = OutreachId.For(id, Npi.Parse("1234567893")).Value;
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await client.GetInstanceAsync(outreach))?.RuntimeStatus); // started by the StartProviderOutreachActivity function

        Assert.Equal(CommandStatus.Accepted, (await Command(s => s.RecordReviewAsync(id, new ReviewSubmission(1, null, null, clinician)))).Status);
        await Until("review 2 open", async () => (await store.GetAsync(id))?.CurrentStep.Step == StepReference.Review(2));
        Assert.Equal(CommandStatus.Accepted, (await Command(s => s.RecordReviewAsync(id, new ReviewSubmission(2, null, ClosureReason.GoalsMet, clinician)))).Status);

        using var timeout = new CancellationTokenSource(Wait);
        var engagement = await client.WaitForInstanceCompletionAsync(id.Value, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, engagement.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await client.WaitForInstanceCompletionAsync(outreach, cancellation: timeout.Token)).RuntimeStatus);
        var closed = await store.GetAsync(id);
        Assert.Equal(EngagementStatus.Closed, closed!.Status);
        Assert.Equal(ClosureReason.GoalsMet, closed.Outcome!.Reason);
        await Until("the closure summary sent to the provider", () => Task.FromResult(_sendGrid.Sends.Count(s => s.RawBody.Contains(ProviderEmail, StringComparison.Ordinal)) >= 2));
        output.WriteLine($"Lifecycle on Microsoft's runtime through the app's functions: {watch.Elapsed.TotalSeconds:0.0} s, {_sendGrid.Sends.Count} emails");

        // 91 days later by the purge's clock: the history of the engagement and its outreach goes, the case stays.
        var purge = new EngagementHistoryPurge(
            store, client, Options.Create(new WorkflowOptions { DataFolder = _app.Folder, HistoryRetention = TimeSpan.FromDays(90) }),
            new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(91)), _app.Provider.GetRequiredService<WorkflowMetrics>(), _app.Provider.GetRequiredService<ILogger<EngagementHistoryPurge>>());
        var purged = await purge.RunAsync();

        Assert.Equal(1, purged.Engagements);
        Assert.Null(await client.GetInstanceAsync(id.Value));
        Assert.Null(await client.GetInstanceAsync(outreach));
        Assert.Equal(EngagementStatus.Closed, (await store.GetAsync(id))!.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    private async Task<CommandResult> Command(Func<EngagementService, Task<CommandResult>> command)
    {
        await using var invocation = _app.Invoke(_host.Client); // as an HTTP function would: its [DurableClient] handed over
        return await command(invocation.Services.GetRequiredService<EngagementService>());
    }

    private Task Until(string what, Func<Task<bool>> condition) => _changes.UntilAsync(what, condition, Wait);

    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        var inner = services.Last(d => d.ServiceType == typeof(T));
        services.Replace(ServiceDescriptor.Singleton<T>(sp => wrap(sp, (T)(inner.ImplementationFactory?.Invoke(sp)
            ?? inner.ImplementationInstance
            ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!)))));
    }
}
