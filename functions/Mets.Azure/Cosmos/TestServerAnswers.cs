using System.Net;
using System.Text;

namespace Mets.Azure.Cosmos;

/// <summary>
/// Used only with <see cref="CosmosOptions.TestServer"/>: the @vercel/cosmosdb-server test server answers a point
/// read of a missing item with 500 (its read handler dereferences the missing document), where Cosmos DB answers
/// 404 NotFound. This handler gives exactly that 404, for a GET of one document that failed with 500, and nothing
/// else, so the adapters' not-found paths work against the test server as against Cosmos DB.
/// <c>CosmosTestServerTests</c> proves the gap is still there.
/// </summary>
public sealed class TestServerAnswers(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.InternalServerError && request.Method == HttpMethod.Get && IsDocument(request.RequestUri))
        {
            response.Dispose();
            return new HttpResponseMessage(HttpStatusCode.NotFound)
            {
                RequestMessage = request,
                Content = new StringContent("{\"code\":\"NotFound\",\"message\":\"Entity with the specified id does not exist in the system.\"}", Encoding.UTF8, "application/json"),
            };
        }

        return response;
    }

    private static bool IsDocument(Uri? uri)
    {
        var segments = uri?.AbsolutePath.Trim('/').Split('/') ?? [];
        return segments.Length == 6 && segments[0] == "dbs" && segments[2] == "colls" && segments[4] == "docs";
    }
}
