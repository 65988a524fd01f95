using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Mets.Local.Chaos;

/// <summary>The host's answer to one request, after as many attempts as the kills made necessary.</summary>
/// <param name="Status">0 when no answer came at all (see <paramref name="Text"/>).</param>
/// <param name="FirstSentAt">When the first attempt was sent (the earliest the host can have seen the request).</param>
public sealed record Answer(HttpStatusCode Status, string Text, JsonElement Json, int Attempts, DateTimeOffset FirstSentAt)
{
    /// <summary>True when the request had to be sent again (the host went down, or did not answer in time).</summary>
    public bool Retried => Attempts > 1;

    /// <summary>The problem details' <c>code</c>, if any.</summary>
    public string? Code => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("code", out var code) ? code.GetString() : null;

    public string Describe() => $"{(int)Status}{(Code is { } c ? " " + c : string.Empty)} after {Attempts} attempt(s)";
}

/// <summary>
/// HTTP to the host under chaos, as a client that retries: each request waits until the host is up, and a request
/// that fails without an answer (connection refused or reset by a kill, or no answer in time) is sent again with the
/// same content once the host is back. The product's idempotency is what makes that safe. Counts requests, retries and
/// server errors (5xx: never expected, each one is reported).
/// </summary>
public sealed class ChaosClient : IDisposable
{
    private const int MaxAttempts = 30;
    private readonly ChaosHost _host;
    private readonly HttpClient _http;
    private readonly ConcurrentQueue<string> _serverErrors = new();
    private long _requests;
    private long _retries;
    private long _held;
    private long _commands;

    public ChaosClient(ChaosHost host)
    {
        _host = host;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = host.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>Counts each command (a write a clinician, provider or referrer makes) once it has its answer.</summary>
    public CommandCounter Progress { get; } = new();

    public long Requests => Interlocked.Read(ref _requests);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Requests that waited for the host to come back before they could be sent.</summary>
    public long Held => Interlocked.Read(ref _held);

    public long Commands => Interlocked.Read(ref _commands);

    public IReadOnlyCollection<string> ServerErrors => [.. _serverErrors];

    /// <summary>A write with a JSON body and the API key.</summary>
    public Task<Answer> PostJsonAsync(string path, string json, CancellationToken cancellationToken) =>
        CommandAsync(() => Request(HttpMethod.Post, path, _host.ApiKey, new StringContent(json, Encoding.UTF8, "application/json")), cancellationToken);

    /// <summary>A provider's form post through the signed link (anonymous).</summary>
    public Task<Answer> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken) =>
        CommandAsync(() => Request(HttpMethod.Post, path, null, new FormUrlEncodedContent(fields)), cancellationToken);

    /// <summary>A read; <paramref name="key"/> null for anonymous routes.</summary>
    public Task<Answer> GetAsync(string path, string? key, CancellationToken cancellationToken) =>
        SendAsync(() => Request(HttpMethod.Get, path, key, null), cancellationToken);

    /// <summary>A read with the API key.</summary>
    public Task<Answer> GetAsync(string path, CancellationToken cancellationToken) => GetAsync(path, _host.ApiKey, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<Answer> CommandAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(create, cancellationToken);
        Interlocked.Increment(ref _commands);
        Progress.Increment();
        return answer;
    }

    private async Task<Answer> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        DateTimeOffset? firstSentAt = null;
        string? lastFailure = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var up = _host.WhenUp;
            if (!up.IsCompleted)
            {
                Interlocked.Increment(ref _held);
                await up.WaitAsync(cancellationToken);
            }

            Interlocked.Increment(ref _requests);
            if (attempt > 1)
            {
                Interlocked.Increment(ref _retries);
            }

            firstSentAt ??= DateTimeOffset.UtcNow;
            using var request = create();
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if ((int)response.StatusCode >= 500)
                {
                    _serverErrors.Enqueue($"{request.Method} {Route(request)} answered {(int)response.StatusCode}");
                    lastFailure = $"answered {(int)response.StatusCode}";
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                    continue;
                }

                var json = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true
                    ? JsonDocument.Parse(text).RootElement.Clone()
                    : default;
                return new Answer(response.StatusCode, text, json, attempt, firstSentAt.Value);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested
                && exception is HttpRequestException or IOException or TaskCanceledException)
            {
                // No answer: the host was killed under the request, or is restarting, or did not answer in time.
                // Send the same request again once it is up; when it is up already (no kill), pause briefly first.
                lastFailure = exception.GetType().Name;
                if (_host.WhenUp.IsCompleted)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                }
            }
        }

        return new Answer(0, $"no answer after {MaxAttempts} attempts ({lastFailure})", default, MaxAttempts, firstSentAt ?? DateTimeOffset.UtcNow);
    }

    /// <summary>The path without ids, tokens or query values (a provider link's token is a secret).</summary>
    private static string Route(HttpRequestMessage request)
    {
        var path = request.RequestUri?.OriginalString ?? string.Empty;
        var query = path.IndexOf('?', StringComparison.Ordinal);
        path = query < 0 ? path : path[..query];
        return string.Join('/', path.Split('/').Select(segment => segment.Length >= 32 ? "{id}" : segment));
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? key, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return request;
    }
}

/// <summary>A count that can be awaited: <see cref="WhenAtLeast"/> completes once the count reaches a value.</summary>
public sealed class CommandCounter
{
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Reached)> _waiters = [];
    private long _count;

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public void Increment()
    {
        List<TaskCompletionSource> reached;
        lock (_gate)
        {
            _count++;
            reached = [.. _waiters.Where(w => w.Target <= _count).Select(w => w.Reached)];
            _waiters.RemoveAll(w => w.Target <= _count);
        }

        reached.ForEach(r => r.TrySetResult());
    }

    public Task WhenAtLeast(long target)
    {
        lock (_gate)
        {
            if (_count >= target)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, waiter));
            return waiter.Task;
        }
    }
}
