using System.Net;
using System.Text.Json;
using Mets.Local.Tests.Hosting;

namespace Mets.Local.Tests;

/// <summary>The built host, started as a process, driven only over HTTP and through its data folder.</summary>
[Collection(HostProcessGroup.Name)]
public class LocalHostTests
{
    private static HttpRequestMessage Get(string path, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return request;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Fact]
    public async Task FirstStart_CreatesTheDataFolderLayout()
    {
        await using var host = await LocalHostProcess.StartAsync();

        foreach (var folder in new[] { "claims/inbox", "claims/processed", "claims/quarantine", "outbox", "keys" })
        {
            Assert.True(Directory.Exists(Path.Combine(host.DataFolder, folder)), $"{folder} is missing");
        }

        Assert.True(host.ApiKey.Length >= 40);
        Assert.True(host.AdminKey.Length >= 40);
        Assert.NotEqual(host.ApiKey, host.AdminKey);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(host.DataFolder, "keys", "api.key")));
        }
    }

    [Fact]
    public async Task Start_PrintsUrlDataFolderApiKeyAndAdminKeyLocation_NeverTheAdminKey()
    {
        await using var host = await LocalHostProcess.StartAsync();
        var banner = await host.WaitForOutputAsync("Press Ctrl+C to stop.", TimeSpan.FromSeconds(30));

        Assert.Contains($"URL:           {host.BaseAddress.ToString().TrimEnd('/')}", banner, StringComparison.Ordinal);
        Assert.Contains($"Data folder:   {host.DataFolder}", banner, StringComparison.Ordinal);
        Assert.Contains($"API key:       {host.ApiKey}  (user local.user; generated now in {Path.Combine(host.DataFolder, "keys", "api.key")})", banner, StringComparison.Ordinal);
        Assert.Contains($"Admin key:     in {Path.Combine(host.DataFolder, "keys", "admin.key")}", banner, StringComparison.Ordinal);
        Assert.DoesNotContain(host.AdminKey, host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_ReusesTheKeyFiles()
    {
        string apiKey;
        string adminKey;
        string dataFolder;
        await using (var first = await LocalHostProcess.StartAsync())
        {
            (apiKey, adminKey, dataFolder) = (first.ApiKey, first.AdminKey, first.DataFolder);
        }

        await using var second = await LocalHostProcess.StartAsync(dataFolder);
        var banner = await second.WaitForOutputAsync("Press Ctrl+C to stop.", TimeSpan.FromSeconds(30));
        using var client = second.CreateClient();
        using var response = await client.SendAsync(Get("/runtime/webhooks/durabletask/no-such-instance-route", adminKey));

        Assert.Equal(apiKey, second.ApiKey);
        Assert.Equal(adminKey, second.AdminKey);
        Assert.Contains($"{apiKey}  (user local.user; kept in ", banner, StringComparison.Ordinal);
        await ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/engagements")]
    [InlineData("/api/referrals")]
    [InlineData("/runtime/webhooks/durabletask/instances")]
    public async Task ProtectedRoutes_WithoutKey_Answer401ProblemDetails(string path)
    {
        await using var host = await LocalHostProcess.StartAsync();
        using var client = host.CreateClient();

        using var response = await client.SendAsync(Get(path));

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("x-functions-key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRoute_WithTheGeneratedKey_Answers404ProblemDetails()
    {
        await using var host = await LocalHostProcess.StartAsync();
        using var client = host.CreateClient();

        using var header = await client.SendAsync(Get("/api/no-such-route", host.ApiKey));
        using var query = await client.GetAsync(new Uri($"/api/no-such-route?code={host.ApiKey}", UriKind.Relative));

        await ProblemAsync(header, HttpStatusCode.NotFound);
        await ProblemAsync(query, HttpStatusCode.NotFound);
        Assert.DoesNotContain(host.ApiKey, host.Output.Replace($"API key:       {host.ApiKey}", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfiguredKeys_NoKeyFilesAndBannerDoesNotPrintThem()
    {
        const string key = "configured-key-0123456789-abcdef";
        const string admin = "configured-admin-0123456789-abcdef";
        await using var host = await LocalHostProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Mets__ApiKeys__0__Key"] = key,
            ["Mets__ApiKeys__0__User"] = "clinician.one",
            ["Mets__AdminKey"] = admin,
        });
        var banner = await host.WaitForOutputAsync("Press Ctrl+C to stop.", TimeSpan.FromSeconds(30));
        using var client = host.CreateClient();
        using var response = await client.SendAsync(Get("/api/no-such-route", key));

        await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.False(File.Exists(Path.Combine(host.DataFolder, "keys", "api.key")));
        Assert.False(File.Exists(Path.Combine(host.DataFolder, "keys", "admin.key")));
        Assert.Contains("configured in Mets:ApiKeys (1 keys)", banner, StringComparison.Ordinal);
        Assert.Contains("configured in Mets:AdminKey", banner, StringComparison.Ordinal);
        Assert.DoesNotContain(key, host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(admin, host.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Mets__ShutdownTimeout", "00:00:00", "Mets:ShutdownTimeout")]
    [InlineData("Mets__LocalUser", "has spaces", "Mets:LocalUser")]
    [InlineData("Mets__Api__ProviderLinkPermitLimit", "0", "Mets:Api:ProviderLinkPermitLimit")]
    [InlineData("Mets__ApiKeys__0__Key", "short", "Mets:ApiKeys:0:User")]
    [InlineData("Mets__Policy__ReminderLead", "30.00:00:00", "Mets:Policy:ReminderLead")]
    [InlineData("Mets__Policy__AssessmentDue", "soon", "Mets:Policy:AssessmentDue")]
    [InlineData("Mets__Roster__Clinicians__0__Id", "has spaces", "Mets:Roster:Clinicians:0:Id")]
    [InlineData("Mets__ProviderLinks__BaseUrl", "not-a-url", "Mets:ProviderLinks:BaseUrl")]
    [InlineData("Mets__Api__MaxClaimsUploadBytes", "10", "Mets:Api:MaxClaimsUploadBytes")]
    [InlineData("Mets__Api__TrustedProxies__0", "the-load-balancer", "Mets:Api:TrustedProxies:0")]
    public async Task InvalidConfiguration_ExitsWithAnErrorNamingTheSetting(string variable, string value, string setting)
    {
        var (exitCode, output) = await LocalHostProcess.RunUntilExitAsync(
            new Dictionary<string, string> { [variable] = value },
            TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains("The METS local host cannot start", output, StringComparison.Ordinal);
        Assert.Contains(setting, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralInvalidSettings_AllNamedAtOnce()
    {
        var (exitCode, output) = await LocalHostProcess.RunUntilExitAsync(
            new Dictionary<string, string>
            {
                ["Mets__ShutdownTimeout"] = "00:00:00",
                ["Mets__Api__MaxJsonBodyBytes"] = "1",
            },
            TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains("Mets:ShutdownTimeout", output, StringComparison.Ordinal);
        Assert.Contains("Mets:Api:MaxJsonBodyBytes", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnparsableSetting_ExitsNamingTheSetting()
    {
        var (exitCode, output) = await LocalHostProcess.RunUntilExitAsync(
            new Dictionary<string, string> { ["Mets__Api__ProviderLinkWindow"] = "soon" },
            TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains("Mets:Api:ProviderLinkWindow", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataFolderThatIsAFile_ExitsNamingTheSetting()
    {
        var file = Path.GetTempFileName();
        try
        {
            var (exitCode, output) = await LocalHostProcess.RunUntilExitAsync(
                new Dictionary<string, string> { ["Mets__DataFolder"] = file },
                TimeSpan.FromSeconds(60));

            Assert.Equal(2, exitCode);
            Assert.Contains("Mets:DataFolder", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Sigterm_StopsGracefully()
    {
        await using var host = await LocalHostProcess.StartAsync(settings: new Dictionary<string, string> { ["Mets__ShutdownTimeout"] = "00:00:05" });

        await host.StopAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, host.ExitCode);
        Assert.Contains("Application is shutting down", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_WithSecretsInPathQueryHeaderAndBody_NeverReachTheConsoleLog()
    {
        const string sentinel = "ZQX-LOCAL-SENTINEL-4417";
        await using var host = await LocalHostProcess.StartAsync();
        using var client = host.CreateClient();

        using (await client.GetAsync(new Uri($"/api/provider-responses/{sentinel}", UriKind.Relative)))
        {
        }

        using (await client.GetAsync(new Uri($"/api/engagements?code={sentinel}&status={sentinel}", UriKind.Relative)))
        {
        }

        using (await client.SendAsync(Get($"/api/{sentinel}", "wrong-" + sentinel)))
        {
        }

        using (var post = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/referrals", UriKind.Relative)))
        {
            post.Headers.Add("x-functions-key", host.ApiKey);
            post.Content = new StringContent($"{{\"member\": \"{sentinel}\"}}", System.Text.Encoding.UTF8, "application/json");
            using (await client.SendAsync(post))
            {
            }
        }

        await host.WaitForOutputAsync("HTTP POST /api/referrals answered 400 for local.user", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(sentinel, host.Output, StringComparison.Ordinal);
        Assert.Contains("HTTP GET /api/engagements?(2 query parameters) answered 401 for anonymous", host.Output, StringComparison.Ordinal);
        Assert.Contains("HTTP GET /api/... (unmatched) answered 401 for anonymous", host.Output, StringComparison.Ordinal);
    }
}
