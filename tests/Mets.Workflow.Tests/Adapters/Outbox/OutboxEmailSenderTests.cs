using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Emails;
using MimeKit;

namespace Mets.Workflow.Tests.Adapters.Outbox;

public sealed class OutboxEmailSenderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-outbox-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Send_WritesARealEmlNamedByTheIdempotencyKey()
    {
        var sender = new OutboxEmailSender(_folder, "mets@plan.example");
        Assert.True(await sender.SendAsync(new OutgoingEmail("abc:outreach:1234567893-request", "zq@clinic.example.org", "METS collaboration request", "Body line\nhttps://x.example/t")));

        var file = Assert.Single(Directory.GetFiles(_folder));
        Assert.Equal("abc_outreach_1234567893-request.eml", Path.GetFileName(file));
        var message = await MimeMessage.LoadAsync(file);
        Assert.Equal("METS collaboration request", message.Subject);
        Assert.Equal("zq@clinic.example.org", message.To.Mailboxes.Single().Address);
        Assert.Equal("mets@plan.example", message.From.Mailboxes.Single().Address);
        Assert.Contains("https://x.example/t", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_SameKeyTwiceOrConcurrently_YieldsOneEmail()
    {
        var sender = new OutboxEmailSender(_folder, "mets@plan.example");
        var email = new OutgoingEmail("key-1", "a@b.example", "Subject", "first");
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => sender.SendAsync(email))));
        Assert.Equal(1, results.Count(r => r));
        Assert.False(await sender.SendAsync(email with { TextBody = "second" }));
        var file = Assert.Single(Directory.GetFiles(_folder));
        Assert.Contains("first", (await MimeMessage.LoadAsync(file)).TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ShowsTheKeyOnly()
    {
        var email = new OutgoingEmail("key-1", "a@b.example", "Subject", "https://x.example/secret-token");
        Assert.DoesNotContain("secret-token", email.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("a@b.example", email.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
