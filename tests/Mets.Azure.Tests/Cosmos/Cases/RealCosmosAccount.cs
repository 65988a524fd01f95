using System.ComponentModel;
using Mets.Azure.Cosmos;
using Microsoft.Azure.Cosmos;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Mets.Azure.Tests.Cosmos.Cases;

/// <summary>
/// A real Cosmos DB account for the contract run, when <c>METS_TEST_COSMOS_ENDPOINT</c> is set (with
/// <c>METS_TEST_COSMOS_KEY</c>, or else the ambient Azure identity). One database per test class, created on start
/// and deleted at the end; the tests use new ids throughout, so they do not see each other's cases.
/// </summary>
public sealed class RealCosmosAccount : IAsyncLifetime, IDisposable
{
    public const string EndpointVariable = "METS_TEST_COSMOS_ENDPOINT";
    public const string KeyVariable = "METS_TEST_COSMOS_KEY";

    private CosmosClient? _client;

    /// <summary>Why the real-account run is skipped, or null when an account is configured.</summary>
    public static string? SkipReason =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable))
            ? $"{EndpointVariable} is not set: no real Cosmos DB account to run the contract against (set it, and {KeyVariable}, to run)."
            : null;

    public Database? Database { get; private set; }

    public async Task InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        var options = new CosmosOptions
        {
            Endpoint = new Uri(Environment.GetEnvironmentVariable(EndpointVariable)!),
            Key = Environment.GetEnvironmentVariable(KeyVariable),
            Database = "mets-test-" + Guid.NewGuid().ToString("N")[..12],
        };
        _client = CosmosClientFactory.Create(options);
        Database = await CosmosLayout.CreateIfNotExistsAsync(_client, options.Database, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Database is not null)
        {
            await Database.DeleteAsync();
        }
    }

    public void Dispose() => _client?.Dispose();
}

/// <summary>Marks a test class whose <see cref="CaseStoreFactAttribute"/> tests need <see cref="RealCosmosAccount"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresRealCosmosAccountAttribute : Attribute;

/// <summary>
/// A case-store contract test. In a class marked <see cref="RequiresRealCosmosAccountAttribute"/> it is skipped, with the
/// reason, when no account is configured (decided at run time, so it shows as skipped, never as passed).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Mets.Azure.Tests.Cosmos.Cases.CaseStoreFactDiscoverer", "Mets.Azure.Tests")]
public sealed class CaseStoreFactAttribute : FactAttribute;

public sealed class CaseStoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        ArgumentNullException.ThrowIfNull(testMethod);
        return testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresRealCosmosAccountAttribute).AssemblyQualifiedName).Any()
            ? new RealAccountTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)
            : base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}

/// <summary>A test case whose skip reason is <see cref="RealCosmosAccount.SkipReason"/>, computed where it runs.</summary>
public sealed class RealAccountTestCase : XunitTestCase
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer only.")]
    public RealAccountTestCase()
    {
    }

    public RealAccountTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => RealCosmosAccount.SkipReason ?? base.GetSkipReason(factAttribute);
}
