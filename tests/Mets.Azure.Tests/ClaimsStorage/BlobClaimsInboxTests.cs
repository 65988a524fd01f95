using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Mets.Azure.ClaimsStorage;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;
using Mets.Claims.Tests;
using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;
using Mets.Workflow.ClaimsIntake;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mets.Azure.Tests.ClaimsStorage;

/// <summary>
/// The blob claims inbox against real Azurite, feeding the real claims intake (ingest + trigger routing
/// into referrals) composed by AddMetsAzureAdapters.
/// </summary>
public sealed class BlobClaimsInboxTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Header = "claim_id,line_number,member_id,claim_type,service_from,service_to,admission_date,discharge_date,bill_type,revenue_code,dx1,paid_amount";
    private const string PsychiatricDischarge = Header + "\nC-100,1,M7001,institutional,2026-01-01,2026-01-03,2026-01-01,2026-01-03,111,0114,F32.2,5000.00\n";
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    private ClaimsBlobHarness _harness = null!;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public async Task InitializeAsync() => _harness = await ClaimsBlobHarness.StartAsync(azurite.ConnectionString, PollInterval);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private BlobContainerClient Container => _harness.Container;

    private BlobClaimsInbox Inbox => _harness.Provider.GetRequiredService<BlobClaimsInbox>();

    [Fact]
    public async Task ProcessPendingAsync_ValidClaimsFile_IsIngestedRoutedAndMovedToProcessed()
    {
        await Container.UploadBlobAsync("claims-week1.csv", BinaryData.FromString(PsychiatricDischarge));

        var handled = Assert.Single(await Inbox.ProcessPendingAsync(CancellationToken.None));
        await _harness.Host.WaitForIdleAsync();

        Assert.Equal(ClaimsFileOutcome.Processed, handled.Outcome);
        Assert.Equal(Processed.Name + "/claims-week1.csv", handled.MovedTo);
        Assert.Empty(await BlobNamesAsync(Container));
        Assert.Equal(["claims-week1.csv"], await BlobNamesAsync(Processed));
        Assert.Empty(await BlobNamesAsync(Quarantine));
        Assert.Equal(PsychiatricDischarge, (await Processed.GetBlobClient("claims-week1.csv").DownloadContentAsync()).Value.Content.ToString());
        var engagement = await _harness.Provider.GetRequiredService<ICaseStore>().FindOpenByMemberAsync(MemberId.Create("PLAN", "M7001"));
        Assert.NotNull(engagement); // the file's trigger became a claims referral
    }

    [Fact]
    public async Task ProcessPendingAsync_BrokenFile_IsMovedToQuarantineWithReport()
    {
        await Container.UploadBlobAsync("not-claims.csv", BinaryData.FromString("hello,world\nthis,is not a claims file\n"));

        var handled = Assert.Single(await Inbox.ProcessPendingAsync(CancellationToken.None));

        Assert.Equal(ClaimsFileOutcome.Quarantined, handled.Outcome);
        Assert.Equal(Quarantine.Name + "/not-claims.csv", handled.MovedTo);
        Assert.Empty(await BlobNamesAsync(Container));
        Assert.Equal(["not-claims.csv", "not-claims.csv.report.json"], await BlobNamesAsync(Quarantine));
        using var report = JsonDocument.Parse((await Quarantine.GetBlobClient("not-claims.csv.report.json").DownloadContentAsync()).Value.Content.ToString());
        Assert.False(string.IsNullOrWhiteSpace(report.RootElement.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task ProcessPendingAsync_X12File_IsMovedWithIts999BesideItAndTheAcknowledgmentIsNeverTakenForAClaimsFile()
    {
        var x12 = X12Samples.File(X12Samples.Set("0001", "BLOB", claims: 2));
        await Container.UploadBlobAsync("claims.837", BinaryData.FromString(x12));

        var handled = Assert.Single(await Inbox.ProcessPendingAsync(CancellationToken.None));
        var afterwards = await Inbox.ProcessPendingAsync(CancellationToken.None);

        Assert.Equal((ClaimsFileOutcome.Processed, Processed.Name + "/claims.837", Processed.Name + "/claims.837.999"), (handled.Outcome, handled.MovedTo, handled.AcknowledgmentAt));
        Assert.Equal(["claims.837", "claims.837.999"], await BlobNamesAsync(Processed));
        Assert.Empty(await BlobNamesAsync(Container));
        Assert.Empty(afterwards); // the inbox is another container: writing the acknowledgment gave it nothing to take
        var written = (await Processed.GetBlobClient("claims.837.999").DownloadContentAsync()).Value.Content.ToString();
        var store = _harness.Provider.GetRequiredService<IClaimsStore>();
        var record = (await store.GetFileAsync(Sha256(x12), CancellationToken.None))!;
        Assert.Equal(record.Acknowledgment!.Content, written);
        Assert.Contains("AK9*A*1*1*1~", written, StringComparison.Ordinal);
        Assert.Null(await store.GetFileAsync(Sha256(written), CancellationToken.None)); // never ingested
    }

    [Fact]
    public async Task ProcessPendingAsync_X12FileWithABrokenEnvelope_IsQuarantinedWithItsReportAndTa1()
    {
        var x12 = X12Samples.File(X12Samples.Set("0001", "BAD")).Replace("IEA*1*000000501", "IEA*1*000000502", StringComparison.Ordinal);
        await Container.UploadBlobAsync("broken.837", BinaryData.FromString(x12));

        var handled = Assert.Single(await Inbox.ProcessPendingAsync(CancellationToken.None));

        Assert.Equal((ClaimsFileOutcome.Quarantined, Quarantine.Name + "/broken.837.ta1"), (handled.Outcome, handled.AcknowledgmentAt));
        Assert.Equal(["broken.837", "broken.837.report.json", "broken.837.ta1"], await BlobNamesAsync(Quarantine));
        Assert.Contains("TA1*000000501*260301*1200*R*001~", (await Quarantine.GetBlobClient("broken.837.ta1").DownloadContentAsync()).Value.Content.ToString(), StringComparison.Ordinal);
        using var report = JsonDocument.Parse((await Quarantine.GetBlobClient("broken.837.report.json").DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(0, report.RootElement.GetProperty("claimsApplied").GetInt32());
        Assert.StartsWith("TA1 R ", report.RootElement.GetProperty("acknowledgment").GetString(), StringComparison.Ordinal);
        Assert.Empty(await BlobNamesAsync(Container));
    }

    [Fact]
    public async Task ProcessPendingAsync_SameNameAgainAndResentContent_KeepsEveryFileAndIngestsOnce()
    {
        await Container.UploadBlobAsync("claims.csv", BinaryData.FromString(PsychiatricDischarge));
        await Inbox.ProcessPendingAsync(CancellationToken.None);
        await Container.UploadBlobAsync("claims.csv", BinaryData.FromString(PsychiatricDischarge)); // resent under the same name

        var again = Assert.Single(await Inbox.ProcessPendingAsync(CancellationToken.None));

        Assert.Equal(ClaimsFileOutcome.Duplicate, again.Outcome);
        Assert.StartsWith(Processed.Name + "/", again.MovedTo, StringComparison.Ordinal);
        Assert.EndsWith("-1-claims.csv", again.MovedTo, StringComparison.Ordinal);
        Assert.Equal([again.MovedTo[(Processed.Name.Length + 1)..], "claims.csv"], await BlobNamesAsync(Processed));
        Assert.Empty(await BlobNamesAsync(Container));
        Assert.Empty(await Inbox.ProcessPendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Worker_HandlesFilesPresentAtStartAndDroppedLater()
    {
        await Container.UploadBlobAsync("at-start.csv", BinaryData.FromString(PsychiatricDischarge));
        var handled = new List<BlobClaimsFileHandledEventArgs>();
        var atStart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Inbox.FileHandled += (_, e) =>
        {
            lock (handled)
            {
                handled.Add(e);
            }

            (e.BlobName == "at-start.csv" ? atStart : dropped).TrySetResult();
        };
        var worker = Assert.Single(_harness.Provider.GetServices<IHostedService>().OfType<BlobClaimsInboxWorker>());

        await worker.StartAsync(CancellationToken.None);
        try
        {
            await atStart.Task.WaitAsync(WaitTimeout);
            await Container.UploadBlobAsync("dropped-later.csv", BinaryData.FromString("hello,world\n1,2\n"));
            _harness.Host.Time.Advance(PollInterval); // the worker's clock is the harness's fake clock: the next poll is due
            await dropped.Task.WaitAsync(WaitTimeout);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }

        Assert.Empty(await BlobNamesAsync(Container));
        Assert.Equal(["at-start.csv"], await BlobNamesAsync(Processed));
        Assert.Equal(["dropped-later.csv", "dropped-later.csv.report.json"], await BlobNamesAsync(Quarantine));
        Assert.Equal(2, handled.Count);
    }

    [Fact]
    public async Task ProcessPendingAsync_BlobLeasedByAnotherInstance_IsLeftUntilTheLeaseIsReleased()
    {
        await Container.UploadBlobAsync("claims-leased.csv", BinaryData.FromString(PsychiatricDischarge));
        var otherInstance = Container.GetBlobClient("claims-leased.csv").GetBlobLeaseClient();
        await otherInstance.AcquireAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(await Inbox.ProcessPendingAsync(CancellationToken.None));
        Assert.Equal(BlobClaimsFileStatus.LeasedElsewhere, (await Inbox.ProcessBlobAsync("claims-leased.csv", CancellationToken.None)).Status);
        Assert.Equal(["claims-leased.csv"], await BlobNamesAsync(Container));

        await otherInstance.ReleaseAsync();
        var handled = Assert.Single(await Inbox.ProcessPendingAsync(CancellationToken.None));

        Assert.Equal(Processed.Name + "/claims-leased.csv", handled.MovedTo);
        Assert.Empty(await BlobNamesAsync(Container));
        Assert.Equal(["claims-leased.csv"], await BlobNamesAsync(Processed));
    }

    [Fact]
    public async Task ProcessPendingAsync_TwoInstancesOnOneContainer_HandleEachBlobOnce()
    {
        var names = Enumerable.Range(1, 6).Select(i => $"claims-{i}.csv").ToList();
        foreach (var name in names)
        {
            await Container.UploadBlobAsync(name, BinaryData.FromString(PsychiatricDischarge.Replace("C-100", "C-" + name, StringComparison.Ordinal)));
        }

        var other = new BlobClaimsInbox(
            _harness.Provider.GetRequiredService<BlobClaimsContainers>(),
            _harness.Provider.GetRequiredService<ClaimsFileProcessor>(),
            TimeProvider.System,
            _harness.Provider.GetRequiredService<ILogger<BlobClaimsInbox>>());

        var passes = await Task.WhenAll(Inbox.ProcessPendingAsync(CancellationToken.None), other.ProcessPendingAsync(CancellationToken.None));

        Assert.Equal(names.Count, passes.Sum(p => p.Count));
        Assert.Equal(names.Order(StringComparer.Ordinal), await BlobNamesAsync(Processed));
        Assert.Empty(await BlobNamesAsync(Container));
    }

    [Fact]
    public async Task Logs_NeverCarryBlobNamesMemberIdsOrDiagnoses()
    {
        var csv = Header + "\nC-900,1,SENTINELMBR77,institutional,2026-01-01,2026-01-03,2026-01-01,2026-01-03,111,0114,F31.81,5000.00\n";
        await Container.UploadBlobAsync("SENTINEL-NAME-claims.csv", BinaryData.FromString(csv));
        await Container.UploadBlobAsync("SENTINEL-NAME-broken.csv", BinaryData.FromString("member,SENTINELMBR77\n"));

        Assert.Equal(2, (await Inbox.ProcessPendingAsync(CancellationToken.None)).Count);
        await _harness.Host.WaitForIdleAsync();

        var records = _harness.Provider.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(records, r => r.Category == typeof(BlobClaimsInbox).FullName);
        foreach (var record in records)
        {
            var text = record.Message + " " + string.Join(';', record.StructuredState?.Select(s => s.Value) ?? []) + " " + record.Exception;
            Assert.DoesNotContain("SENTINEL", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("F31.81", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task ProcessBlobAsync_DeliveredTwice_ProcessesOnceAndTheSecondFindsNothing()
    {
        await Container.UploadBlobAsync("twice.csv", BinaryData.FromString(PsychiatricDischarge));

        var first = await Inbox.ProcessBlobAsync("twice.csv", CancellationToken.None);
        var second = await Inbox.ProcessBlobAsync("twice.csv", CancellationToken.None);

        Assert.Equal(BlobClaimsFileStatus.Handled, first.Status);
        Assert.Equal(ClaimsFileOutcome.Processed, first.Handled!.Outcome);
        Assert.Equal(BlobClaimsFileStatus.NotInInbox, second.Status);
        Assert.True(second.IsDone);
        Assert.Equal(["twice.csv"], await BlobNamesAsync(Processed));
        Assert.Empty(await BlobNamesAsync(Container));
    }

    [Fact]
    public async Task ProcessBlobAsync_AfterADeliveryStoppedBetweenCopyAndDelete_ReusesItsCopyAndIngestsOnce()
    {
        await Container.UploadBlobAsync("interrupted.csv", BinaryData.FromString(PsychiatricDischarge));
        var inboxBlob = Container.GetBlobClient("interrupted.csv");
        var etag = (await inboxBlob.GetPropertiesAsync()).Value.ETag;
        // What an earlier delivery left: the file ingested and its copy in the processed container, the inbox blob not yet deleted.
        await using (var content = await inboxBlob.OpenReadAsync())
        {
            await _harness.Provider.GetRequiredService<ClaimsFileProcessor>().ProcessAsync("interrupted.csv", content, CancellationToken.None);
        }

        await Processed.CreateIfNotExistsAsync();
        await Processed.GetBlobClient("interrupted.csv").UploadAsync(
            BinaryData.FromString(PsychiatricDischarge),
            new global::Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { [BlobClaimsInbox.SourceETagMetadata] = etag.ToString().Trim('"') } });

        var again = await Inbox.ProcessBlobAsync("interrupted.csv", CancellationToken.None);

        Assert.Equal(BlobClaimsFileStatus.Handled, again.Status);
        Assert.Equal(ClaimsFileOutcome.Duplicate, again.Handled!.Outcome);
        Assert.Equal(Processed.Name + "/interrupted.csv", again.Handled.MovedTo);
        Assert.Equal(["interrupted.csv"], await BlobNamesAsync(Processed));
        Assert.Empty(await BlobNamesAsync(Container));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ProcessBlobAsync_X12AfterADeliveryStoppedBeforeTheDelete_WritesTheStoredAcknowledgmentOnce(bool acknowledgmentWrittenBefore)
    {
        var x12 = X12Samples.File(X12Samples.Set("0001", "AGAIN"));
        await Container.UploadBlobAsync("again.837", BinaryData.FromString(x12));
        var inboxBlob = Container.GetBlobClient("again.837");
        var etag = (await inboxBlob.GetPropertiesAsync()).Value.ETag;
        // What an earlier delivery left: the file ingested and copied, its acknowledgment written or not, the inbox blob not yet deleted.
        Mets.Claims.Acknowledgments.ClaimsAcknowledgment first;
        await using (var content = await inboxBlob.OpenReadAsync())
        {
            first = (await _harness.Provider.GetRequiredService<ClaimsFileProcessor>().ProcessAsync("again.837", content, CancellationToken.None)).File.Acknowledgment!;
        }

        await Processed.CreateIfNotExistsAsync();
        await Processed.GetBlobClient("again.837").UploadAsync(
            BinaryData.FromString(x12),
            new global::Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { [BlobClaimsInbox.SourceETagMetadata] = etag.ToString().Trim('"') } });
        global::Azure.ETag? earlierAcknowledgment = acknowledgmentWrittenBefore
            ? (await Processed.GetBlobClient("again.837.999").UploadAsync(BinaryData.FromString(first.Content))).Value.ETag
            : null;

        var again = await Inbox.ProcessBlobAsync("again.837", CancellationToken.None);

        Assert.Equal((ClaimsFileOutcome.Duplicate, Processed.Name + "/again.837.999"), (again.Handled!.Outcome, again.Handled.AcknowledgmentAt));
        Assert.Equal(["again.837", "again.837.999"], await BlobNamesAsync(Processed));
        var acknowledgment = await Processed.GetBlobClient("again.837.999").DownloadContentAsync();
        Assert.Equal(first.Content, acknowledgment.Value.Content.ToString()); // the stored text, same control numbers
        Assert.Equal(earlierAcknowledgment ?? acknowledgment.Value.Details.ETag, acknowledgment.Value.Details.ETag); // an earlier one is left as it is
        Assert.Empty(await BlobNamesAsync(Container));
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private BlobContainerClient Processed => _harness.Processed;

    private BlobContainerClient Quarantine => _harness.Quarantine;

    private static async Task<List<string>> BlobNamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        if (!await container.ExistsAsync())
        {
            return names;
        }

        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
