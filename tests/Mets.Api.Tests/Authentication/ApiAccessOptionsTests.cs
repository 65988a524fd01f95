using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mets.Api.Authentication;
using Mets.Api.Tests.Hosting;

namespace Mets.Api.Tests.Authentication;

public class ApiAccessOptionsTests
{
    private static OptionsValidationException? Validate(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddMetsApi(configuration).BuildServiceProvider();
        try
        {
            _ = services.GetRequiredService<IOptions<ApiAccessOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException exception)
        {
            return exception;
        }
    }

    [Fact]
    public void Validate_DefaultTestSettings_Passes()
    {
        Assert.Null(Validate(ApiTestHost.DefaultSettings()));
    }

    [Fact]
    public void Validate_NoKeysAtAll_NamesAdminKeySetting()
    {
        var error = Validate(new Dictionary<string, string?>());

        Assert.NotNull(error);
        Assert.Contains("Mets:AdminKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoApiKeys_NamesApiKeysSetting()
    {
        var error = Validate(new Dictionary<string, string?> { ["Mets:AdminKey"] = ApiTestHost.AdminKey });

        Assert.NotNull(error);
        Assert.Contains("Mets:ApiKeys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortSecondKey_NamesThatEntry()
    {
        var error = Validate(ApiTestHost.DefaultSettings(new Dictionary<string, string?> { ["Mets:ApiKeys:1:Key"] = "ZQX7short" }));

        Assert.NotNull(error);
        Assert.Contains("Mets:ApiKeys:1:Key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ZQX7short", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadUserName_NamesThatEntry()
    {
        var error = Validate(ApiTestHost.DefaultSettings(new Dictionary<string, string?> { ["Mets:ApiKeys:0:User"] = "has spaces" }));

        Assert.NotNull(error);
        Assert.Contains("Mets:ApiKeys:0:User", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AdminKeyEqualsUserKey_Refused()
    {
        var error = Validate(ApiTestHost.DefaultSettings(new Dictionary<string, string?> { ["Mets:AdminKey"] = ApiTestHost.UserKey }));

        Assert.NotNull(error);
        Assert.Contains("Mets:AdminKey must differ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiTestHost.UserKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SameKeyTwice_Refused()
    {
        var error = Validate(ApiTestHost.DefaultSettings(new Dictionary<string, string?> { ["Mets:ApiKeys:1:Key"] = ApiTestHost.UserKey }));

        Assert.NotNull(error);
        Assert.Contains("same key twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidLimits_FailsNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ApiTestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Mets:Api:ProviderLinkPermitLimit"] = "0" }));

        Assert.Contains("Mets:Api:ProviderLinkPermitLimit", error.Message, StringComparison.Ordinal);
    }
}
