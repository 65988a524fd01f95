using Mets.Claims;

namespace Mets.Azure.Cosmos.Claims;

/// <summary>The state of a claim id after its versions were applied: current version or tombstone, and its member.</summary>
internal readonly record struct ClaimState<T>(bool IsVoid, string Member, T Version);

/// <summary>One version of a claim as the resolver sees it: where it sorts and what it does.</summary>
internal readonly record struct VersionStep<T>(long CommitSequence, int Seq, ClaimFrequency Frequency, string Owner, T Version);

/// <summary>
/// The rules the SQLite store applies at commit (claims_current), applied by readers instead: versions of committed
/// files in commit order, then file order; a replacement (or an original) supersedes, a void leaves a tombstone on
/// the claim's member so far, and a voided claim stays voided when an original arrives later.
/// </summary>
internal static class ClaimVersions
{
    public static ClaimState<T>? Resolve<T>(IEnumerable<VersionStep<T>> versions)
    {
        ClaimState<T>? state = null;
        foreach (var step in versions.OrderBy(v => v.CommitSequence).ThenBy(v => v.Seq))
        {
            if (state is { IsVoid: true } && step.Frequency == ClaimFrequency.Original)
            {
                continue;
            }

            state = step.Frequency == ClaimFrequency.Void
                ? new ClaimState<T>(true, state?.Member ?? step.Owner, step.Version)
                : new ClaimState<T>(false, step.Owner, step.Version);
        }

        return state;
    }

    /// <summary>True when a version staged by <paramref name="attempt"/> of a file in <paramref name="file"/> state counts.</summary>
    public static bool IsVisible(FileState? file, int attempt) => file is { IsCommitted: true } && file.Attempt == attempt;
}
