using System.Text.Json;
using Azure.Storage.Blobs;
using Mets.Azure.ClaimsStorage;
using Mets.Azure.Tests.ClaimsStorage;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;
using Mets.Domain.Identifiers;
using Mets.FunctionApp.Claims;
using Mets.FunctionApp.Tests.Durable;
using Mets.Workflow.Cases;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Mets.FunctionApp.Tests.Claims;

/// <summary>
/// The claims blob function against real Azurite, with the app's own composition (claims intake on SQLite here): a
/// good file is processed once however often and however concurrently Event Grid delivers it, a broken one is
/// quarantined with its report, and nothing it writes lands in the inbox container (which would trigger it again).
/// </summary>
public sealed class ClaimsBlobFunctionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Header = "claim_id,line_number,member_id,claim_type,service_from,service_to,admission_date,discharge_date,bill_type,revenue_code,dx1,paid_amount";
    private const string PsychiatricDischarge = Header + "\nC-100,1,M7001,institutional,2026-01-01,2026-01-03,2026-01-01,2026-01-03,111,0114,F32.2,5000.00\n";

    private readonly Mock<DurableTaskClient> _client = new("test") { CallBase = false };
    private FunctionAppHost _app = null!;
    private BlobContainerClient _inbox = null!;
    private BlobContainerClient _processed = null!;
    private BlobContainerClient _quarantine = null!;

    public async Task InitializeAsync()
    {
        var prefix = "fa-" + Guid.NewGuid().ToString("N")[..10];
        _app = await FunctionAppHost.StartAsync(new Dictionary<string, string?>
        {
            ["ClaimsStorage:ConnectionString"] = azurite.ConnectionString,
            ["ClaimsStorage:Container"] = prefix + "-inbox",
            ["ClaimsStorage:ProcessedContainer"] = prefix + "-processed",
            ["ClaimsStorage:QuarantineContainer"] = prefix + "-quarantine",
        },
        before: services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero)))); // the claims' recent past
        var containers = _app.Provider.GetRequiredService<BlobClaimsContainers>();
        (_inbox, _processed, _quarantine) = (containers.Inbox, containers.Processed, containers.Quarantine);
        await containers.EnsureCreatedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var container in new[] { _inbox, _processed, _quarantine })
        {
            await container.DeleteIfExistsAsync();
        }

        await _app.DisposeAsync();
    }

    [Fact]
    public void InboxProcessedAndQuarantine_AreThreeContainers_TheTriggerWatchesOnlyTheInbox()
    {
        Assert.Equal(3, new[] { _inbox.Name, _processed.Name, _quarantine.Name }.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(_inbox.Name, _app.Configuration["ClaimsStorage:Container"]);
        Assert.StartsWith("%ClaimsStorage:Container%/", ClaimsBlobFunction.BlobPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoodFile_DeliveredTwice_IsProcessedOnceAndMovedToProcessed()
    {
        await _inbox.UploadBlobAsync("claims-week1.csv", BinaryData.FromString(PsychiatricDischarge));

        await DeliverAsync("claims-week1.csv");
        await DeliverAsync("claims-week1.csv"); // Event Grid delivers at least once

        await AssertProcessedOnceAsync("claims-week1.csv");
        Assert.Contains(_app.Logs.GetSnapshot(), r => r.Message.Contains("no longer in the inbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GoodFile_DeliveredConcurrently_IsProcessedOnce()
    {
        await _inbox.UploadBlobAsync("claims-concurrent.csv", BinaryData.FromString(PsychiatricDischarge));

        var deliveries = Enumerable.Range(0, 4).Select(_ => Task.Run(() => DeliverAsync("claims-concurrent.csv"))).ToList();
        var outcomes = await Task.WhenAll(deliveries.Select(async d =>
        {
            try
            {
                await d;
                return (Exception?)null;
            }
            catch (ClaimsBlobNotHandledException e)
            {
                return e;
            }
        }));

        // A delivery that met another one's lease failed, so the platform delivers it again: by then there is nothing left to do.
        var retried = outcomes.OfType<ClaimsBlobNotHandledException>().ToList();
        Assert.All(retried, e => Assert.Contains(e.Status, new BlobClaimsFileStatus?[] { BlobClaimsFileStatus.LeasedElsewhere, BlobClaimsFileStatus.Changed }));
        foreach (var _ in retried)
        {
            await DeliverAsync("claims-concurrent.csv");
        }

        await AssertProcessedOnceAsync("claims-concurrent.csv");
    }

    [Fact]
    public async Task BrokenFile_IsQuarantinedWithItsReport_AndNothingLandsInTheInbox()
    {
        await _inbox.UploadBlobAsync("not-claims.csv", BinaryData.FromString("hello,world\nthis,is not a claims file\n"));

        await DeliverAsync("not-claims.csv");
        await DeliverAsync("not-claims.csv");

        Assert.Empty(await NamesAsync(_inbox));
        Assert.Empty(await NamesAsync(_processed));
        Assert.Equal(["not-claims.csv", "not-claims.csv.report.json"], await NamesAsync(_quarantine));
        using var report = JsonDocument.Parse((await _quarantine.GetBlobClient("not-claims.csv.report.json").DownloadContentAsync()).Value.Content.ToString());
        Assert.False(string.IsNullOrWhiteSpace(report.RootElement.GetProperty("reason").GetString()));
        Assert.Empty(ScheduledInstances());
    }

    [Fact]
    public async Task X12File_DeliveredTwice_IsMovedWithIts999_AndNothingLandsInTheInbox()
    {
        var x12 = Mets.Claims.Tests.X12Samples.File(Mets.Claims.Tests.X12Samples.Set("0001", "FA"));
        await _inbox.UploadBlobAsync("claims.837", BinaryData.FromString(x12));

        await DeliverAsync("claims.837");
        await DeliverAsync("claims.837");

        Assert.Empty(await NamesAsync(_inbox));
        Assert.Equal(["claims.837", "claims.837.999"], await NamesAsync(_processed));
        Assert.Empty(await NamesAsync(_quarantine));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(x12)));
        var record = (await _app.Provider.GetRequiredService<IClaimsStore>().GetFileAsync(hash, CancellationToken.None))!;
        Assert.Equal(record.Acknowledgment!.Content, (await _processed.GetBlobClient("claims.837.999").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task Delivery_WhileAnotherHoldsTheLease_FailsForARetryAndLeavesTheBlob()
    {
        await _inbox.UploadBlobAsync("claims-leased.csv", BinaryData.FromString(PsychiatricDischarge));
        var other = global::Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlobLeaseClient(_inbox.GetBlobClient("claims-leased.csv"));
        await other.AcquireAsync(TimeSpan.FromSeconds(60));

        var failed = await Assert.ThrowsAsync<ClaimsBlobNotHandledException>(() => DeliverAsync("claims-leased.csv"));

        Assert.Equal(BlobClaimsFileStatus.LeasedElsewhere, failed.Status);
        Assert.Equal(["claims-leased.csv"], await NamesAsync(_inbox));
        await other.ReleaseAsync();
        await DeliverAsync("claims-leased.csv");
        await AssertProcessedOnceAsync("claims-leased.csv");
    }

    /// <summary>One delivery: the function class from the invocation's services, called as the worker calls it.</summary>
    private async Task DeliverAsync(string blobName)
    {
        await using var invocation = _app.Invoke();
        await invocation.Function<ClaimsBlobFunction>().RunAsync(_inbox.GetBlobClient(blobName), _client.Object, invocation.Context);
    }

    private async Task AssertProcessedOnceAsync(string name)
    {
        Assert.Empty(await NamesAsync(_inbox));
        Assert.Equal([name], await NamesAsync(_processed));
        Assert.Empty(await NamesAsync(_quarantine));
        Assert.Equal(PsychiatricDischarge, (await _processed.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString());
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(PsychiatricDischarge)));
        Assert.Equal(ClaimsFileStatus.Processed, (await _app.Provider.GetRequiredService<IClaimsStore>().GetFileAsync(hash, CancellationToken.None))!.Status);
        // The file's trigger became one claims referral, and so one engagement orchestration scheduled.
        var engagement = await _app.Provider.GetRequiredService<ICaseStore>().FindOpenByMemberAsync(MemberId.Create("PLAN", "M7001"));
        Assert.NotNull(engagement);
        Assert.Equal([engagement.Id.Value], ScheduledInstances());
    }

    private List<string?> ScheduledInstances() =>
    [
        .. _client.Invocations
            .Where(i => i.Method.Name == nameof(DurableTaskClient.ScheduleNewOrchestrationInstanceAsync))
            .Select(i => i.Arguments.OfType<StartOrchestrationOptions>().Single().InstanceId),
    ];

    private static async Task<List<string>> NamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
