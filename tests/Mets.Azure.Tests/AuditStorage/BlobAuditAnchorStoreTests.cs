using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Mets.Azure.AuditStorage;
using Mets.Azure.Tests.ClaimsStorage;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Audit;

namespace Mets.Azure.Tests.AuditStorage;

/// <summary>
/// The Azure anchor store against real Azurite. Azurite does not enforce immutability (WORM) policies, so what these
/// tests prove is the application's own part: anchors are created, never overwritten (every write is conditional on the
/// blob not existing), and read back; the retention policy that stops anyone else from changing or deleting an anchor
/// is the deployment's (infra/modules/storage.bicep, checked by Mets.Infra.Tests) and can only be seen on Azure.
/// </summary>
public sealed class BlobAuditAnchorStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly EngagementId _engagement = EngagementId.New(Guid.NewGuid());

    [Fact]
    public async Task Append_CreatesOneBlobPerAnchor_ReadAnswersTheEngagementsAnchorsInOrder()
    {
        var store = Store();
        var other = EngagementId.New(Guid.NewGuid());

        await store.AppendAsync(Anchor(_engagement, 20));
        await store.AppendAsync(Anchor(_engagement, 10));
        await store.AppendAsync(Anchor(other, 10));

        Assert.Equal([Anchor(_engagement, 10), Anchor(_engagement, 20)], await store.ReadAsync(_engagement));
        Assert.Equal([Anchor(other, 10)], await store.ReadAsync(other));
        var blob = store.Container.GetBlobClient($"{_engagement.Value}/00000010.anchor");
        Assert.Equal(AnchorLine.Format(Anchor(_engagement, 10)), (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task Append_TheSameAnchorAgain_KeepsTheFirstBlobUnchanged()
    {
        var store = Store();
        await store.AppendAsync(Anchor(_engagement, 10));
        var blob = store.Container.GetBlobClient(BlobAuditAnchorStore.BlobName(_engagement, 10));
        var first = (await blob.GetPropertiesAsync()).Value.ETag;

        await store.AppendAsync(Anchor(_engagement, 10) with { AnchoredAt = T0.AddDays(1) }); // the sweep and a save, say

        Assert.Equal(first, (await blob.GetPropertiesAsync()).Value.ETag);
        Assert.Equal(T0.AddMinutes(10), Assert.Single(await store.ReadAsync(_engagement)).AnchoredAt);
    }

    [Fact]
    public async Task Append_AnotherHeadAtARecordedCount_IsRefused_AndTheRecordedAnchorStays()
    {
        var store = Store();
        await store.AppendAsync(Anchor(_engagement, 10));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(Anchor(_engagement, 10) with { HeadHash = new string('f', 64) }));

        Assert.IsType<RequestFailedException>(refused.InnerException);
        Assert.Equal(409, ((RequestFailedException)refused.InnerException!).Status); // the conditional create: If-None-Match *
        Assert.Equal([Anchor(_engagement, 10)], await store.ReadAsync(_engagement));
        Assert.DoesNotContain(new string('f', 64), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_BeforeAnyAnchor_EvenWithoutTheContainer_IsEmpty()
    {
        var store = Store();

        Assert.Empty(await store.ReadAsync(_engagement));
        Assert.False(await store.Container.ExistsAsync());
    }

    /// <summary>
    /// The limit of this test environment, stated as a test: Azurite lets an unconditional write replace an anchor blob,
    /// which Azure refuses under the container's retention policy. The application never writes unconditionally.
    /// </summary>
    [Fact]
    public async Task Azurite_DoesNotEnforceImmutability_AnUnconditionalOverwriteSucceedsThere()
    {
        var store = Store();
        await store.AppendAsync(Anchor(_engagement, 10));
        var blob = store.Container.GetBlobClient(BlobAuditAnchorStore.BlobName(_engagement, 10));

        await blob.UploadAsync(BinaryData.FromString(AnchorLine.Format(Anchor(_engagement, 10) with { HeadHash = new string('e', 64) })), overwrite: true);

        Assert.Equal(new string('e', 64), Assert.Single(await store.ReadAsync(_engagement)).HeadHash);
        await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(BinaryData.FromString("x"), new BlobUploadOptions { Conditions = new() { IfNoneMatch = ETag.All } }));
    }

    private BlobAuditAnchorStore Store() => BlobAuditAnchorStore.Create(new AuditStorageOptions
    {
        ConnectionString = azurite.ConnectionString,
        Container = "audit-" + Guid.NewGuid().ToString("N")[..20],
    });

    private static TimelineAnchor Anchor(EngagementId id, int count) =>
        new(id, count, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(count))), T0.AddMinutes(count));
}
