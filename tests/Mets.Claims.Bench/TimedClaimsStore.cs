using System.Diagnostics;
using System.Runtime.CompilerServices;
using Mets.Claims.Analytics;
using Mets.Claims.Reading.Csv;
using Mets.Claims.Storage;

namespace Mets.Claims.Bench;

/// <summary>
/// Wraps a claims store and adds up the wall time and the process CPU time spent inside each of its calls
/// (including the time an enumeration of <see cref="IClaimsStore.ReadMembersAffectedByAsync"/> spends producing
/// each member), so the bench can tell the store's share of an ingest from the reader's and the analytics'.
/// </summary>
internal sealed class TimedClaimsStore(IClaimsStore inner) : IClaimsStore
{
    private readonly Dictionary<string, TimeSpan> _times = new(StringComparer.Ordinal);

    /// <summary>Time inside each store method, by method name.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Times => _times;

    public TimeSpan Total => _times.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b);

    /// <summary>Process CPU time used inside the store's calls (steadier than wall time on a shared machine).</summary>
    public TimeSpan Cpu { get; private set; }

    public TimeSpan Of(params string[] methods) => methods.Aggregate(TimeSpan.Zero, (sum, m) => sum + _times.GetValueOrDefault(m));

    public Task<ClaimsFileRecord?> GetFileAsync(string contentHash, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.GetFileAsync(contentHash, cancellationToken));

    public Task BeginFileAsync(string contentHash, string fileName, ClaimsFileKind kind, long? totalBytes, DateTimeOffset now, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.BeginFileAsync(contentHash, fileName, kind, totalBytes, now, cancellationToken));

    public Task StageAsync(string contentHash, IReadOnlyList<Claim> claims, IReadOnlyList<EligibilitySpan> eligibility, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.StageAsync(contentHash, claims, eligibility, progress, now, cancellationToken));

    public Task QuarantineAsync(string contentHash, string reason, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.QuarantineAsync(contentHash, reason, counts, rejects, warnings, progress, now, cancellationToken));

    public Task CommitAsync(string contentHash, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateOnly analyzedAsOf, DateTimeOffset now, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.CommitAsync(contentHash, counts, rejects, warnings, progress, analyzedAsOf, now, cancellationToken));

    public async IAsyncEnumerable<MemberClaimsSnapshot> ReadMembersAffectedByAsync(string contentHash, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = inner.ReadMembersAffectedByAsync(contentHash, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await TimeAsync(() => enumerator.MoveNextAsync().AsTask()))
            {
                yield return enumerator.Current;
            }
        }
        finally
        {
            await TimeAsync(() => enumerator.DisposeAsync().AsTask(), nameof(ReadMembersAffectedByAsync));
        }
    }

    public Task<MemberClaimsSnapshot> GetMemberAsync(string memberId, string? contentHash, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.GetMemberAsync(memberId, contentHash, cancellationToken));

    public Task SaveMemberAnalysesAsync(string contentHash, IReadOnlyList<MemberAnalysis> analyses, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.SaveMemberAnalysesAsync(contentHash, analyses, cancellationToken));

    public Task CompleteAsync(string contentHash, DateTimeOffset now, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.CompleteAsync(contentHash, now, cancellationToken));

    public Task<IReadOnlyList<ClaimsTrigger>> GetTriggersAsync(string contentHash, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.GetTriggersAsync(contentHash, cancellationToken));

    public Task<IReadOnlyList<CareGap>> GetCareGapsAsync(string memberId, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.GetCareGapsAsync(memberId, cancellationToken));

    public Task<IReadOnlyList<MemberMonth>> GetMemberMonthsAsync(string memberId, CancellationToken cancellationToken) =>
        TimeAsync(() => inner.GetMemberMonthsAsync(memberId, cancellationToken));

    private async Task<T> TimeAsync<T>(Func<Task<T>> call, [CallerMemberName] string method = "")
    {
        var started = Stopwatch.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        try
        {
            return await call();
        }
        finally
        {
            Add(method, Stopwatch.GetElapsedTime(started), cpu);
        }
    }

    private async Task TimeAsync(Func<Task> call, [CallerMemberName] string method = "")
    {
        var started = Stopwatch.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        try
        {
            await call();
        }
        finally
        {
            Add(method, Stopwatch.GetElapsedTime(started), cpu);
        }
    }

    private void Add(string method, TimeSpan elapsed, TimeSpan cpuBefore)
    {
        _times[method] = _times.GetValueOrDefault(method) + elapsed;
        Cpu += Environment.CpuUsage.TotalTime - cpuBefore;
    }
}
