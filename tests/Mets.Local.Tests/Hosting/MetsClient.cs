using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MimeKit;

namespace Mets.Local.Tests.Hosting;

/// <summary>HTTP and data-folder helpers for driving a <see cref="LocalHostProcess"/> the way a client would.</summary>
internal static partial class MetsClient
{
    public static HttpRequestMessage Request(HttpMethod method, string path, string? key = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return request;
    }

    public static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var body = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true
                ? JsonDocument.Parse(text).RootElement.Clone()
                : default;
            return (response.StatusCode, body, response);
        }
    }

    public static Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostJsonAsync(HttpClient client, string path, string key, string json, string mediaType = "application/json") =>
        SendAsync(client, Request(HttpMethod.Post, path, key, Json(json, mediaType)));

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path, string key)
    {
        var (status, body, _) = await SendAsync(client, Request(HttpMethod.Get, path, key));
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Accepted, $"GET {path} answered {(int)status}");
        return body;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking again after each short pause; fails with <paramref name="what"/> after the timeout.</summary>
    public static Task<T> WaitForAsync<T>(Func<Task<T?>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null) =>
        Eventually.WaitForAsync(condition, timeout, what, diagnostics);

    /// <summary>Waits until the engagement reads with the given current step (and number) and returns it.</summary>
    public static Task<JsonElement> WaitForStepAsync(HttpClient client, string key, string id, string step, int? number = null, Func<string>? diagnostics = null) =>
        WaitForAsync<JsonElement?>(async () =>
        {
            var engagement = await GetJsonAsync(client, $"/api/engagements/{id}", key);
            var current = engagement.GetProperty("currentStep");
            return current.GetProperty("step").GetString() == step && (number is null || current.GetProperty("number").GetInt32() == number)
                ? engagement
                : null;
        }, TimeSpan.FromSeconds(30), $"engagement {id} to reach {step} {number}", diagnostics).ContinueWith(t => t.Result!.Value, TaskScheduler.Default);

    /// <summary>Waits for an outbox email whose file name contains <paramref name="nameContains"/>.</summary>
    public static Task<string> WaitForEmailAsync(string dataFolder, string nameContains, Func<string>? diagnostics = null) =>
        WaitForAsync(() => Task.FromResult(Directory.Exists(Path.Combine(dataFolder, "outbox"))
                ? Directory.GetFiles(Path.Combine(dataFolder, "outbox"), "*.eml").FirstOrDefault(p => Path.GetFileName(p).Contains(nameContains, StringComparison.Ordinal))
                : null),
            TimeSpan.FromSeconds(30), $"an outbox email named *{nameContains}*", diagnostics);

    /// <summary>The path and signed token of the provider link in an outbox email.</summary>
    public static string ProviderLinkPath(string emlPath)
    {
        using var message = MimeMessage.Load(emlPath);
        var match = LinkPattern().Match(message.TextBody ?? string.Empty);
        Assert.True(match.Success, "The email holds no provider link.");
        return match.Value;
    }

    public static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    public static MediaTypeHeaderValue? MediaType(HttpResponseMessage response) => response.Content.Headers.ContentType;

    [GeneratedRegex(@"/api/provider-responses/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")]
    private static partial Regex LinkPattern();
}
