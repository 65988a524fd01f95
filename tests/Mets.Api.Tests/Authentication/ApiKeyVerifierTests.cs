using Mets.Api.Authentication;
using Microsoft.Extensions.Options;
using Moq;

namespace Mets.Api.Tests.Authentication;

public class ApiKeyVerifierTests
{
    private static ApiKeyVerifier Verifier(ApiAccessOptions options)
    {
        var monitor = new Mock<IOptionsMonitor<ApiAccessOptions>>();
        monitor.Setup(m => m.CurrentValue).Returns(options);
        return new ApiKeyVerifier(monitor.Object);
    }

    private static ApiAccessOptions Options()
    {
        var options = new ApiAccessOptions { AdminKey = "admin-admin-admin-admin-admin" };
        options.ApiKeys.Add(new ApiKeyEntry { Key = "first-first-first-first-first", User = "first.user" });
        options.ApiKeys.Add(new ApiKeyEntry { Key = "second-second-second-second", User = "second.user" });
        return options;
    }

    [Theory]
    [InlineData("first-first-first-first-first", KeyKind.User, "first.user")]
    [InlineData("second-second-second-second", KeyKind.User, "second.user")]
    [InlineData("admin-admin-admin-admin-admin", KeyKind.Admin, "admin")]
    [InlineData("first-first-first-first-firsT", KeyKind.None, null)]
    [InlineData("first-first-first-first-first ", KeyKind.None, null)]
    [InlineData("", KeyKind.None, null)]
    [InlineData(null, KeyKind.None, null)]
    public void Verify_PresentedKey_MapsToKindAndUser(string? presented, KeyKind kind, string? user)
    {
        var (actualKind, actualUser) = Verifier(Options()).Verify(presented);

        Assert.Equal(kind, actualKind);
        Assert.Equal(user, actualUser);
    }

    [Fact]
    public void Verify_NoAdminKeyConfigured_EmptyKeyIsNotAdmin()
    {
        var options = Options();
        options.AdminKey = null;

        Assert.Equal(KeyKind.None, Verifier(options).Verify(" ").Kind);
    }
}
