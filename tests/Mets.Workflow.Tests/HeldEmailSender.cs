using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Emails;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Tests;

/// <summary>
/// The outbox sender, except that emails whose idempotency key matches <see cref="Holds"/> fail (as a mail server
/// that is down would) until <see cref="Release"/>: the activity retries on its durable timer, so a test can act
/// while an orchestration is inside that step.
/// </summary>
internal sealed class HeldEmailSender(IEmailSender inner, Func<string, bool> holds) : IEmailSender
{
    private volatile bool _released;

    public Func<string, bool> Holds { get; } = holds;

    /// <summary>How many sends were refused while held.</summary>
    public int Refused { get; private set; }

    public void Release() => _released = true;

    public Task<bool> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (!_released && Holds(email.IdempotencyKey))
        {
            Refused++;
            throw new IOException("The mail server is not answering (held by the test).");
        }

        return inner.SendAsync(email, cancellationToken);
    }

    /// <summary>Registers a held outbox sender in place of the workflow's; the test reaches it through <paramref name="sender"/>.</summary>
    public static Action<IServiceCollection> Replace(Func<string, bool> holds, Action<HeldEmailSender> sender) => services =>
        services.AddSingleton<IEmailSender>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<WorkflowOptions>>().Value;
            var held = new HeldEmailSender(new OutboxEmailSender(o.OutboxFolder, o.MailFrom), holds);
            sender(held);
            return held;
        });
}
