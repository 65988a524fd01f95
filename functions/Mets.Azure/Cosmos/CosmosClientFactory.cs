using Azure.Identity;
using Mets.Workflow.Cases;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Cosmos;

/// <summary>Builds the one <see cref="CosmosClient"/> of the app from <see cref="CosmosOptions"/>.</summary>
public static class CosmosClientFactory
{
    /// <param name="options">Endpoint, identity or key, certificate handling.</param>
    /// <param name="handler">
    /// The HTTP handler under the SDK (tests wrap it to count or cut requests); by default the SDK's own, or, when
    /// <see cref="CosmosOptions.TestServer"/> is set, <see cref="TestServerAnswers"/> over one that accepts the test
    /// server's certificate.
    /// </param>
    public static CosmosClient Create(CosmosOptions options, Func<HttpMessageHandler>? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.Endpoint?.ToString() ?? throw new InvalidOperationException("Cosmos:Endpoint is required.");
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "mets",
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            UseSystemTextJsonSerializerWithOptions = CaseDocumentJson.Options,
            MaxRetryAttemptsOnRateLimitedRequests = 9,
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(30),
            RequestTimeout = TimeSpan.FromSeconds(30),
        };
        if (handler is not null || options.TestServer)
        {
            clientOptions.HttpClientFactory = () => new HttpClient(handler?.Invoke() ?? new TestServerAnswers(AcceptingHandler()), disposeHandler: true);
        }

        if (!string.IsNullOrWhiteSpace(options.Key))
        {
            return new CosmosClient(endpoint, options.Key, clientOptions);
        }

        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId,
        });
        return new CosmosClient(endpoint, credential, clientOptions);
    }

    /// <summary>A handler that accepts any server certificate: the test server's self-signed one.</summary>
    public static HttpMessageHandler AcceptingHandler() => new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
    };
}
