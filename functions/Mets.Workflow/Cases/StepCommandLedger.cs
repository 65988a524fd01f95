using System.Security.Cryptography;
using System.Text.Json;
using Mets.Domain.Identifiers;

namespace Mets.Workflow.Cases;

/// <summary>
/// One answer to one step of an engagement, as the ledger keeps it: <see cref="Key"/> names the step (e.g.
/// <c>assessment</c>, <c>review:2</c>, <c>provider-response:{outreach}</c>), <see cref="Fingerprint"/> is the SHA-256
/// of the command's content, <see cref="Recorded"/> a code shown to whoever answers the same step again (a provider
/// response's name; never member data). <see cref="Raised"/> turns true once the event reached the orchestration.
/// </summary>
public sealed record StepCommand(string Key, string Fingerprint, string Recorded, bool Raised, DateTimeOffset ClaimedAt)
{
    /// <summary>A command for <paramref name="key"/> whose fingerprint is the hash of <paramref name="content"/> as JSON.</summary>
    public static StepCommand For(string key, object content, string recorded, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(content);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(content, content.GetType())));
        return new StepCommand(key, fingerprint, recorded, false, now);
    }
}

/// <summary>What <see cref="IStepCommandLedger.ClaimAsync"/> found.</summary>
public enum StepCommandClaimOutcome
{
    /// <summary>No answer to this step was recorded: this command is now the step's answer (not yet raised).</summary>
    Claimed,

    /// <summary>The same command (same fingerprint) was recorded before.</summary>
    SameCommand,

    /// <summary>A different command answers this step already.</summary>
    OtherCommand,
}

/// <param name="Outcome">What the claim found.</param>
/// <param name="Recorded">The step's recorded command (this one when claimed).</param>
public sealed record StepCommandClaim(StepCommandClaimOutcome Outcome, StepCommand Recorded);

/// <summary>
/// The first answer to each step of an engagement, decided atomically by the store (create-if-absent), so two
/// answers to one step sent milliseconds apart cannot both be accepted: the case document, which the orchestration
/// updates after the fact, is too late to decide that. Keys and fingerprints only, no member data.
/// </summary>
public interface IStepCommandLedger
{
    /// <summary>Records <paramref name="command"/> as the answer to its step unless one is recorded; says which is.</summary>
    Task<StepCommandClaim> ClaimAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default);

    /// <summary>The command's event reached the orchestration.</summary>
    Task MarkRaisedAsync(EngagementId engagement, string key, CancellationToken cancellationToken = default);

    /// <summary>Forgets a claim whose event was never raised (it did not fit, or raising failed): the step is open again.</summary>
    Task ReleaseAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default);
}
