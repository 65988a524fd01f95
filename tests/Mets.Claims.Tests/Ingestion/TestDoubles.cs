using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims.Reading.Csv;
using Mets.Claims.Storage;
using Mets.Claims.Storage.Sqlite;

namespace Mets.Claims.Tests.Ingestion;

/// <summary>A stream that fails with an I/O error part-way through the second read of the content
/// (the first pass is the ingestor's content hash): a crash while the file is being staged.</summary>
internal sealed class FailingStream(byte[] content, int failAfter) : MemoryStream(content)
{
    private bool _armed;

    public override long Position
    {
        get => base.Position;
        set
        {
            _armed |= value == 0 && base.Position > 0;
            base.Position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin loc)
    {
        _armed = true;
        return base.Seek(offset, loc);
    }

    public override int Read(byte[] buffer, int offset, int count) => Fail(base.Read(buffer, offset, Math.Min(count, 512)));

    public override int Read(Span<byte> buffer) => Fail(base.Read(buffer[..Math.Min(buffer.Length, 512)]));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    private int Fail(int read) => _armed && Position > failAfter ? throw new IOException("Simulated crash while reading.") : read;
}

/// <summary>A stream that cannot seek (like a network download).</summary>
internal sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
{
    public override bool CanSeek => false;
}

/// <summary>Members with an open engagement, for tests.</summary>
internal sealed class EngagedMembers(params string[] members) : IEngagedMemberDirectory
{
    public ValueTask<bool> IsEngagedAsync(string memberId, CancellationToken cancellationToken) => ValueTask.FromResult(members.Contains(memberId));
}

/// <summary>Forwards every call to another store; implements only the claims store port (no acknowledgments kept).</summary>
internal class ForwardingStore(IClaimsStore inner) : IClaimsStore
{
    protected IClaimsStore Inner { get; } = inner;

    public virtual Task SaveMemberAnalysesAsync(string contentHash, IReadOnlyList<MemberAnalysis> analyses, CancellationToken cancellationToken) =>
        Inner.SaveMemberAnalysesAsync(contentHash, analyses, cancellationToken);

    public Task<ClaimsFileRecord?> GetFileAsync(string contentHash, CancellationToken cancellationToken) => Inner.GetFileAsync(contentHash, cancellationToken);

    public Task BeginFileAsync(string contentHash, string fileName, ClaimsFileKind kind, long? totalBytes, DateTimeOffset now, CancellationToken cancellationToken) =>
        Inner.BeginFileAsync(contentHash, fileName, kind, totalBytes, now, cancellationToken);

    public Task StageAsync(string contentHash, IReadOnlyList<Claim> claims, IReadOnlyList<EligibilitySpan> eligibility, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken) =>
        Inner.StageAsync(contentHash, claims, eligibility, progress, now, cancellationToken);

    public Task QuarantineAsync(string contentHash, string reason, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken) =>
        Inner.QuarantineAsync(contentHash, reason, counts, rejects, warnings, progress, now, cancellationToken);

    public Task CommitAsync(string contentHash, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateOnly analyzedAsOf, DateTimeOffset now, CancellationToken cancellationToken) =>
        Inner.CommitAsync(contentHash, counts, rejects, warnings, progress, analyzedAsOf, now, cancellationToken);

    public IAsyncEnumerable<MemberClaimsSnapshot> ReadMembersAffectedByAsync(string contentHash, CancellationToken cancellationToken) => Inner.ReadMembersAffectedByAsync(contentHash, cancellationToken);

    public Task<MemberClaimsSnapshot> GetMemberAsync(string memberId, string? contentHash, CancellationToken cancellationToken) => Inner.GetMemberAsync(memberId, contentHash, cancellationToken);

    public Task CompleteAsync(string contentHash, DateTimeOffset now, CancellationToken cancellationToken) => Inner.CompleteAsync(contentHash, now, cancellationToken);

    public Task<IReadOnlyList<ClaimsTrigger>> GetTriggersAsync(string contentHash, CancellationToken cancellationToken) => Inner.GetTriggersAsync(contentHash, cancellationToken);

    public Task<IReadOnlyList<CareGap>> GetCareGapsAsync(string memberId, CancellationToken cancellationToken) => Inner.GetCareGapsAsync(memberId, cancellationToken);

    public Task<IReadOnlyList<MemberMonth>> GetMemberMonthsAsync(string memberId, CancellationToken cancellationToken) => Inner.GetMemberMonthsAsync(memberId, cancellationToken);
}

/// <summary>Wraps the real store (acknowledgments included) and fails one analysis batch, simulating a crash after the commit.</summary>
internal sealed class CrashingStore(SqliteClaimsStore inner, int crashOnAnalysisBatch) : ForwardingStore(inner), IClaimsAcknowledgmentStore
{
    private int _batches;

    public override Task SaveMemberAnalysesAsync(string contentHash, IReadOnlyList<MemberAnalysis> analyses, CancellationToken cancellationToken) =>
        ++_batches == crashOnAnalysisBatch ? throw new IOException("Simulated crash during analytics.") : Inner.SaveMemberAnalysesAsync(contentHash, analyses, cancellationToken);

    public Task<long> ReserveAcknowledgmentNumbersAsync(int count, CancellationToken cancellationToken) => inner.ReserveAcknowledgmentNumbersAsync(count, cancellationToken);

    public Task SaveAcknowledgmentAsync(string contentHash, Mets.Claims.Acknowledgments.ClaimsAcknowledgment acknowledgment, CancellationToken cancellationToken) =>
        inner.SaveAcknowledgmentAsync(contentHash, acknowledgment, cancellationToken);
}
