using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mets.Local.Tests.Hosting;
using Mets.Testing.Fuzzing;
using Xunit.Abstractions;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests.Fuzzing;

/// <summary>
/// Hostile bodies (<see cref="HostileRequests"/>) against the built local host over loopback: referrals (JSON and FHIR),
/// the engagement step commands (on a real engagement and on an unknown id) and the provider link (JSON and form).
/// Never a 5xx; every error is application/problem+json with a status, a title and a detail or field errors (a
/// provider-link form post gets the provider page's HTML, as the product answers the page's own form); no answer and
/// no log line repeats the sentinel. Settings for a longer run (docs/reliability.md): <c>METS_HTTP_FUZZ_REQUESTS</c>
/// (default 2,000) and <c>METS_HTTP_FUZZ_SEED</c> (a number, or <c>random</c>).
/// </summary>
[Collection(HostProcessGroup.Name)]
public sealed class HttpFuzzTests(ITestOutputHelper output)
{
    public const int DefaultSeed = 20261208;
    private const int DefaultRequests = 2_000;

    [Fact]
    public async Task HostileBodies_NeverA5xx_AlwaysProblemDetailsWithADetail()
    {
        var seed = FuzzRandom.RunSeed("METS_HTTP_FUZZ_SEED", DefaultSeed);
        var count = FuzzRandom.Count("METS_HTTP_FUZZ_REQUESTS", DefaultRequests);
        output.WriteLine($"HTTP fuzz: run seed {seed}, {count} requests (rebuild one with HostileRequests.Create({seed}, index))");
        await using var host = await LocalHostProcess.StartAsync(settings: new Dictionary<string, string>
        {
            // The provider link is rate-limited per client address; every request here comes from one address.
            ["Mets__Api__ProviderLinkPermitLimit"] = "100000",
        });
        using var client = host.CreateClient();
        var key = host.ApiKey;
        var (created, accepted, _) = await PostJsonAsync(client, "/api/referrals", key, EngagementLifecycleTests.Referral("REF-FZ-0", "PLAN:FZ0000"));
        Assert.Equal(HttpStatusCode.Accepted, created);
        string[] engagements = [accepted.GetProperty("id").GetString()!, "0123456789abcdef0123456789abcdef"];
        string[] tokens = ["abc.def", "eyJ2IjoxfQ.c2lnbmF0dXJl", new string('A', 400) + "." + new string('b', 40)];

        var failures = new List<string>();
        var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        for (var index = 0; index < count; index++)
        {
            var hostile = HostileRequests.Create(seed, index);
            var path = hostile.Path.Replace("{id}", engagements[index % 2], StringComparison.Ordinal).Replace("{token}", tokens[index % tokens.Length], StringComparison.Ordinal);
            using var request = Request(HttpMethod.Post, path, hostile.Target.StartsWith("provider", StringComparison.Ordinal) ? null : key, Content(hostile));
            if (hostile.Accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", hostile.Accept);
            }

            if (hostile.Chunked)
            {
                request.Headers.TransferEncodingChunked = true;
            }

            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            var statusKey = $"{hostile.Target} {status}";
            statuses[statusKey] = statuses.GetValueOrDefault(statusKey) + 1;
            foreach (var problem in Problems(hostile, status, response.Content.Headers.ContentType, text))
            {
                failures.Add($"{HostileRequests.Describe(seed, index, hostile)}: {problem}");
            }
        }

        clock.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} requests in {clock.Elapsed.TotalSeconds:0.0} s"));
        output.WriteLine("answers: " + string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        if (host.Output.Contains(" answered 5", StringComparison.Ordinal) || host.Output.Contains("Unhandled ", StringComparison.Ordinal))
        {
            failures.Add("the host log shows a 5xx or an unhandled exception:\n" + string.Join("\n", host.Output.Split('\n').Where(l => l.Contains("Unhandled ", StringComparison.Ordinal)).Take(10)));
        }

        if (host.Output.Contains(HostileRequests.Sentinel, StringComparison.Ordinal))
        {
            failures.Add("the host log repeats a submitted value (sentinel found)");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} finding(s) with run seed {seed}:\n" + string.Join("\n", failures.Take(30)));
    }

    /// <summary>What is wrong with one answer (empty when it is right).</summary>
    private static List<string> Problems(HostileRequest request, int status, MediaTypeHeaderValue? contentType, string text)
    {
        var problems = new List<string>();
        if (status >= 500)
        {
            problems.Add($"answered {status}");
        }

        if (text.Contains(HostileRequests.Sentinel, StringComparison.Ordinal))
        {
            problems.Add("the answer repeats a submitted value (sentinel found)");
        }

        if (status < 400)
        {
            return problems;
        }

        if (request.IsProviderLink && contentType?.MediaType == "text/html" && IsForm(request.ContentType))
        {
            if (!text.Contains("<h1>", StringComparison.Ordinal))
            {
                problems.Add($"answered {status} with an HTML page without a heading");
            }

            return problems;
        }

        if (contentType?.MediaType != "application/problem+json")
        {
            problems.Add($"answered {status} as {contentType?.MediaType ?? "no content type"}, not problem details");
            return problems;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var body = document.RootElement;
            var detail = body.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String && d.GetString()!.Length > 0;
            var errors = body.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object && e.EnumerateObject().Any();
            if (!body.TryGetProperty("status", out var s) || s.GetInt32() != status)
            {
                problems.Add($"answered {status} with problem details of another status");
            }

            if (!body.TryGetProperty("title", out var t) || string.IsNullOrWhiteSpace(t.GetString()))
            {
                problems.Add($"answered {status} with problem details without a title");
            }

            if (!detail && !errors)
            {
                problems.Add($"answered {status} with problem details without a detail or field errors");
            }
        }
        catch (JsonException)
        {
            problems.Add($"answered {status} with a problem details body that is not JSON");
        }

        return problems;
    }

    private static bool IsForm(string? contentType) =>
        contentType is not null && contentType.Split(';', 2)[0].Trim().Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static HttpContent? Content(HostileRequest request)
    {
        if (request.Body is null)
        {
            return null;
        }

        HttpContent content = request.Chunked ? new StreamContent(new MemoryStream(request.Body)) : new ByteArrayContent(request.Body);
        if (request.ContentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }

        return content;
    }
}
