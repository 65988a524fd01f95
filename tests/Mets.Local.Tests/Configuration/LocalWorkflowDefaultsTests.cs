using Mets.Local.Configuration;

namespace Mets.Local.Tests.Configuration;

public class LocalWorkflowDefaultsTests
{
    [Theory]
    [InlineData(null, "http://127.0.0.1:5080/api/provider-responses")]
    [InlineData("http://127.0.0.1:5099/", "http://127.0.0.1:5099/api/provider-responses")]
    [InlineData("http://*:8080;https://localhost:8443", "http://localhost:8080/api/provider-responses")]
    [InlineData("http://0.0.0.0:80", "http://localhost:80/api/provider-responses")]
    [InlineData("http://[::]:5000", "http://localhost:5000/api/provider-responses")]
    public void ProviderPageBase_FirstUrl_WildcardBecomesLocalhost(string? urls, string expected) =>
        Assert.Equal(expected, LocalWorkflowDefaults.ProviderPageBase(urls));
}
