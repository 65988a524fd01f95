using System.Collections.Concurrent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Emails;

namespace Mets.Workload.Simulator;

/// <summary>One email the workflow handed to the mail port: when (simulated time), what kind, its key and the signed link it carries.</summary>
public sealed record SentEmail(DateTimeOffset At, EmailKind Kind, string IdempotencyKey, EngagementId Engagement, Uri? Link);

/// <summary>
/// The mail port (<see cref="IEmailSender"/>) of the simulation: keeps what METS sends in memory instead of delivering it,
/// with the port's contract (a key sent before is not sent again). The kind of each email is read from its subject,
/// as <see cref="EmailComposer"/> writes it; the engagement from its idempotency key, which starts with the engagement id.
/// </summary>
public sealed class SimulatedOutbox(TimeProvider time) : IEmailSender
{
    private static readonly Dictionary<string, EmailKind> KindBySubject = Enum.GetValues<EmailKind>().ToDictionary(
        kind => EmailComposer.Compose(kind, EngagementId.New(Guid.AllBitsSet), StepReference.Assessment, null, 1, null, null, null).Subject,
        StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SentEmail> _new = new();

    public Task<bool> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (!KindBySubject.TryGetValue(email.Subject, out var kind))
        {
            throw new InvalidOperationException($"{email}: the subject is not one EmailComposer writes.");
        }

        var engagementLength = EngagementId.New(Guid.AllBitsSet).Value.Length;
        if (email.IdempotencyKey.Length < engagementLength || !EngagementId.TryParse(email.IdempotencyKey[..engagementLength], out var engagement))
        {
            throw new InvalidOperationException($"{email}: the key does not start with an engagement id.");
        }

        if (!_keys.TryAdd(email.IdempotencyKey, 0))
        {
            return Task.FromResult(false);
        }

        var link = email.TextBody.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("https://", StringComparison.Ordinal));
        _new.Enqueue(new SentEmail(time.GetUtcNow(), kind, email.IdempotencyKey, engagement, link is null ? null : new Uri(link)));
        return Task.FromResult(true);
    }

    /// <summary>The emails sent since the last call, in time and key order (not the order the activities happened to finish).</summary>
    public IReadOnlyList<SentEmail> TakeNew()
    {
        var taken = new List<SentEmail>();
        while (_new.TryDequeue(out var email))
        {
            taken.Add(email);
        }

        return [.. taken.OrderBy(e => e.At).ThenBy(e => e.IdempotencyKey, StringComparer.Ordinal)];
    }
}
