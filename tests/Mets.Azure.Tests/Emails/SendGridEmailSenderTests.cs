using System.Net;
using Mets.Azure.Emails;
using Mets.Workflow.Emails;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Mets.Azure.Tests.Emails;

/// <summary>
/// The SendGrid mailer against a real loopback HTTP server speaking the v3 mail send endpoint, with the
/// sent-key ledger in a real SQLite file.
/// </summary>
public sealed class SendGridEmailSenderTests : IAsyncLifetime
{
    private const string ApiKey = "SG.sentinel-api-key-7f3a91";
    private const string Recipient = "sentinel.clinician.4471@plan.example";
    private const string Body = "Please review: https://mets.plan.example/provider-responses/SENTINEL-LINK-9921";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-azure-sendgrid-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeLogger<SendGridEmailSender> _logger = new();
    private SendGridCaptureServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _server = await SendGridCaptureServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task SendAsync_NewEmail_PostsPlainTextMailWithBearerKeyAndIdempotencyKey()
    {
        using var sender = CreateSender();

        var sent = await sender.SendAsync(new OutgoingEmail("assessment-due-E1", Recipient, "METS: assessment due", Body));

        Assert.True(sent);
        var request = Assert.Single(_server.Sends);
        Assert.Equal("Bearer " + ApiKey, request.Authorization);
        var body = request.Body;
        Assert.Equal("mets@plan.example", body.GetProperty("from").GetProperty("email").GetString());
        var personalization = Assert.Single(body.GetProperty("personalizations").EnumerateArray());
        var to = Assert.Single(personalization.GetProperty("to").EnumerateArray());
        Assert.Equal(Recipient, to.GetProperty("email").GetString());
        Assert.Equal("METS: assessment due", personalization.GetProperty("subject").GetString());
        Assert.Equal("assessment-due-E1", personalization.GetProperty("custom_args").GetProperty(SendGridEmailSender.IdempotencyKeyName).GetString());
        var content = Assert.Single(body.GetProperty("content").EnumerateArray());
        Assert.Equal("text/plain", content.GetProperty("type").GetString());
        Assert.Equal(Body, content.GetProperty("value").GetString());
        Assert.Equal("assessment-due-E1", personalization.GetProperty("headers").GetProperty(SendGridEmailSender.IdempotencyKeyName).GetString());
    }

    [Fact]
    public async Task SendAsync_SameKeyTwice_SendsOnceAndReturnsFalse_AlsoAfterRestart()
    {
        var email = new OutgoingEmail("reminder-E2-1", Recipient, "METS: reminder", Body);
        using (var sender = CreateSender())
        {
            Assert.True(await sender.SendAsync(email));
            Assert.False(await sender.SendAsync(email));
        }

        using var restarted = CreateSender(); // a new process: the ledger file remembers
        Assert.False(await restarted.SendAsync(email with { Subject = "METS: reminder (retry)" }));
        Assert.True(await restarted.SendAsync(email with { IdempotencyKey = "reminder-E2-2" }));

        Assert.Equal(2, _server.Sends.Count);
    }

    [Fact]
    public async Task SendAsync_ConcurrentAttemptsWithOneKey_SendOnce()
    {
        using var sender = CreateSender();
        var email = new OutgoingEmail("escalation-E3", Recipient, "METS: escalation", Body);

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => sender.SendAsync(email)));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single(_server.Sends);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task SendAsync_Non2xxAnswer_ThrowsDeliveryExceptionWithoutSecretsAndDoesNotRecordTheKey(HttpStatusCode status)
    {
        using var sender = CreateSender();
        var email = new OutgoingEmail("closure-E4", Recipient, "METS: closure", Body);
        _server.AnswerStatus = status;

        var exception = await Assert.ThrowsAsync<SendGridDeliveryException>(() => sender.SendAsync(email));

        Assert.Equal(status, exception.StatusCode);
        Assert.Equal("closure-E4", exception.IdempotencyKey);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), exception.Message, StringComparison.Ordinal);
        AssertNoSecrets(exception.ToString());

        _server.AnswerStatus = HttpStatusCode.Accepted; // the retry goes through: the refused send was not recorded
        Assert.True(await sender.SendAsync(email));
        Assert.Equal(2, _server.Sends.Count);
    }

    [Fact]
    public async Task Logs_NeverCarryApiKeyRecipientOrBody()
    {
        using var sender = CreateSender();
        var email = new OutgoingEmail("assessment-due-E5", Recipient, "METS: assessment due", Body);
        await sender.SendAsync(email);
        await sender.SendAsync(email);
        _server.AnswerStatus = HttpStatusCode.Forbidden;
        await Assert.ThrowsAsync<SendGridDeliveryException>(() => sender.SendAsync(email with { IdempotencyKey = "assessment-due-E6" }));

        var records = _logger.Collector.GetSnapshot();
        Assert.Equal(3, records.Count);
        foreach (var record in records)
        {
            AssertNoSecrets(record.Message);
            AssertNoSecrets(string.Join(';', record.StructuredState?.Select(s => s.Value) ?? []));
        }
    }

    private static void AssertNoSecrets(string text)
    {
        Assert.DoesNotContain("sentinel-api-key", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("sentinel.clinician", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SENTINEL-LINK", text, StringComparison.OrdinalIgnoreCase);
    }

    private SendGridEmailSender CreateSender()
    {
        var options = new SendGridOptions { ApiKey = ApiKey, FromAddress = "mets@plan.example", Host = _server.Address };
        var ledger = new SqliteSentEmailLedger(Path.Combine(_folder, "sendgrid-sent.db"));
        return new SendGridEmailSender(SendGridEmailSender.CreateClient(options), options.FromAddress, ledger, TimeProvider.System, _logger);
    }
}
