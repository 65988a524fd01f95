using System.Collections.Concurrent;
using System.Text.Json;

namespace Mets.Local.Chaos;

/// <summary>One write the driver made for an engagement.</summary>
/// <param name="What">e.g. <c>assessment</c>, <c>review 2</c>, <c>provider 1234567893 willCollaborate</c>.</param>
/// <param name="FirstSentAt">When its first attempt was sent: the earliest moment the host can have applied it.</param>
/// <param name="EndsStep">It completes the engagement's current step (assessment, review, decision, closure, last contact attempt).</param>
/// <param name="Closes">It closes the engagement (and so stops every provider outreach).</param>
/// <param name="Npi">For a provider's answer: whose outreach it ends.</param>
public sealed record SentCommand(string What, DateTimeOffset FirstSentAt, bool EndsStep, bool Closes, string? Npi);

/// <summary>What the driver did and saw for one scripted engagement; the checks read it with the final engagement document.</summary>
public sealed class EngagementRecord(EngagementScript script)
{
    private readonly ConcurrentQueue<SentCommand> _commands = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<(string ReferralId, string EngagementId)> _referrals = new();
    private readonly ConcurrentQueue<string> _tolerated = new();
    private readonly ConcurrentDictionary<string, string?> _responses = new(script.Providers.Select(p => KeyValuePair.Create(p.Npi, p.Answer)));

    public EngagementScript Script { get; } = script;

    /// <summary>The id of the first referral's 202.</summary>
    public string? EngagementId { get; set; }

    /// <summary>Every referral answered 202, with the engagement id the answer named.</summary>
    public IReadOnlyCollection<(string ReferralId, string EngagementId)> ReferralsAccepted => [.. _referrals];

    public IReadOnlyCollection<SentCommand> Commands => [.. _commands];

    public IReadOnlyCollection<string> Failures => [.. _failures];

    /// <summary>
    /// The closure reason the engagement must end with: the script's, unless a kill kept the host down while the
    /// script's decision raced a deadline (then the deadline's outcome is right; see <see cref="Tolerated"/>).
    /// </summary>
    public string ExpectedReason { get; private set; } = script.ExpectedReason;

    /// <summary>Outcomes that differ from the script because the host was down when it mattered, each saying why.</summary>
    public IReadOnlyCollection<string> Tolerated => [.. _tolerated];

    /// <summary>The response the case must show for a provider (null: none).</summary>
    public string? ExpectedResponse(string npi) => _responses.GetValueOrDefault(npi);

    /// <summary>A deadline won over the script's command because the host was down in between: expect the deadline's outcome.</summary>
    public void LostToDeadline(string why, string? closesAs = null, string? unansweredNpi = null)
    {
        _tolerated.Enqueue($"engagement {EngagementId} ({Script}): {why}");
        ExpectedReason = closesAs ?? ExpectedReason;
        if (unansweredNpi is not null)
        {
            _responses[unansweredNpi] = null;
        }
    }

    /// <summary>The engagement as <c>GET /api/engagements/{id}</c> showed it at the end.</summary>
    public JsonElement? Final { get; set; }

    public void Accepted(string referralId, string engagementId) => _referrals.Enqueue((referralId, engagementId));

    public void Sent(SentCommand command) => _commands.Enqueue(command);

    /// <summary>Records a failed expectation, naming the engagement and the script.</summary>
    public void Fail(string expectation) => _failures.Enqueue($"engagement {EngagementId ?? "(none)"} ({Script}): {expectation}");
}
