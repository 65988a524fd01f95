using System.Globalization;
using Mets.Azure.Cosmos;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>Clients for the claims tests: the fixture's client plus a crash after N writes, and request counting.</summary>
internal static class ClaimsCosmosClients
{
    /// <summary>A client whose <paramref name="crash"/> source is cancelled once <paramref name="writes"/> item writes
    /// reached the server: the calls in flight then fail as a dying process's would.</summary>
    public static CosmosClient Crashing(CosmosOptions options, int writes, CancellationTokenSource crash) =>
        CosmosClientFactory.Create(options, () => new CrashAfterWrites(new TestServerAnswers(CosmosClientFactory.AcceptingHandler()), writes, crash));

    /// <summary>The same crash on a real account (its certificate checked as usual).</summary>
    public static CosmosClient CrashingOnAccount(CosmosOptions options, int writes, CancellationTokenSource crash) =>
        CosmosClientFactory.Create(options, () => new CrashAfterWrites(new HttpClientHandler(), writes, crash));

    /// <summary>Claim items (versions and markers) of a file in the members' partitions, visible or not.</summary>
    public static async Task<int> CountStagedAsync(Container claims, string contentHash, IEnumerable<string> members)
    {
        var count = 0;
        foreach (var member in members)
        {
            var query = new QueryDefinition("SELECT c.id FROM c WHERE c.memberId = @memberId AND c.fileHash = @fileHash AND c.kind = 'claim'")
                .WithParameter("@memberId", member).WithParameter("@fileHash", contentHash);
            using var iterator = claims.GetItemQueryIterator<ItemId>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(member) });
            while (iterator.HasMoreResults)
            {
                count += (await iterator.ReadNextAsync()).Count;
            }
        }

        return count;
    }

    public static CosmosClient Counting(CosmosOptions options, RequestCounter counter) =>
        CosmosClientFactory.Create(options, () => new CountingHandler(new TestServerAnswers(CosmosClientFactory.AcceptingHandler()), counter));

    /// <summary>A handler for a real account (its certificate checked as usual) that counts requests and charges.</summary>
    public static HttpMessageHandler CountingOnAccount(RequestCounter counter) => new CountingHandler(new HttpClientHandler(), counter);

    /// <summary>A document write: create/upsert (POST to docs, not a query), replace (PUT) or delete.</summary>
    public static bool IsItemWrite(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        if (!path.Contains("/docs", StringComparison.Ordinal))
        {
            return false;
        }

        var query = request.Headers.TryGetValues("x-ms-documentdb-isquery", out var values) && values.Any(v => v.Equals("True", StringComparison.OrdinalIgnoreCase));
        return (request.Method == HttpMethod.Post && !query) || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete;
    }

    private sealed record ItemId(string Id);

    private sealed class CrashAfterWrites(HttpMessageHandler inner, int writes, CancellationTokenSource crash) : DelegatingHandler(inner)
    {
        private int _writes;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (IsItemWrite(request) && Interlocked.Increment(ref _writes) == writes)
            {
                await crash.CancelAsync();
            }

            return response;
        }
    }

    private sealed class CountingHandler(HttpMessageHandler inner, RequestCounter counter) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            counter.Add(request, response);
            return response;
        }
    }
}

/// <summary>Requests to the item APIs by kind, and the request charge the server reported for them.</summary>
internal sealed class RequestCounter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    public double Charge { get; private set; }

    public int Total { get; private set; }

    public void Add(HttpRequestMessage request, HttpResponseMessage response)
    {
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        if (!path.Contains("/docs", StringComparison.Ordinal))
        {
            return;
        }

        var isQuery = request.Headers.TryGetValues("x-ms-documentdb-isquery", out var values) && values.Any(v => v.Equals("True", StringComparison.OrdinalIgnoreCase));
        var upsert = request.Headers.TryGetValues("x-ms-documentdb-is-upsert", out var upserts) && upserts.Any(v => v.Equals("True", StringComparison.OrdinalIgnoreCase));
        var kind = isQuery ? "query" : request.Method.Method switch
        {
            "GET" => "read",
            "POST" => upsert ? "upsert" : "create",
            "PUT" => "replace",
            "DELETE" => "delete",
            _ => request.Method.Method,
        };
        var charge = response.Headers.TryGetValues("x-ms-request-charge", out var charges) ? double.Parse(charges.First(), CultureInfo.InvariantCulture) : 0;
        lock (_gate)
        {
            _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
            Total++;
            Charge += charge;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _counts.Clear();
            Total = 0;
            Charge = 0;
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Total} requests ({string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}), reported charge {Charge:0.##} RU");
        }
    }
}
