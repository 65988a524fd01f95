using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mets.Azure.Tests.Emails;

/// <summary>What the capture server received for one <c>POST /v3/mail/send</c>.</summary>
internal sealed record CapturedSend(string? Authorization, JsonElement Body, string RawBody);

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, free port) standing in for the SendGrid v3 API: it records
/// each mail send and answers with <see cref="AnswerStatus"/> (202, like SendGrid, unless a test changes it).
/// </summary>
internal sealed class SendGridCaptureServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<CapturedSend> _sends = new();

    private SendGridCaptureServer(WebApplication app) => _app = app;

    public HttpStatusCode AnswerStatus { get; set; } = HttpStatusCode.Accepted;

    public IReadOnlyList<CapturedSend> Sends => [.. _sends];

    public string Address => _app.Urls.Single();

    public static async Task<SendGridCaptureServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new SendGridCaptureServer(app);
        app.MapPost("/v3/mail/send", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var raw = await reader.ReadToEndAsync();
            using var json = JsonDocument.Parse(raw);
            server._sends.Enqueue(new CapturedSend(request.Headers.Authorization.ToString(), json.RootElement.Clone(), raw));
            return server.AnswerStatus == HttpStatusCode.Accepted
                ? Results.StatusCode(202)
                : Results.Json(new { errors = new[] { new { message = "refused by the capture server", field = (string?)null } } }, statusCode: (int)server.AnswerStatus);
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
