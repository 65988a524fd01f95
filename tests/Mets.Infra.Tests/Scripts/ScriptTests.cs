using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mets.Infra.Tests.Template;

namespace Mets.Infra.Tests.Scripts;

/// <summary>
/// The scripts in infra/scripts parse, and do what they say against local stand-ins: the smoke test passes against an
/// app that behaves like the deployed one and fails (exit code 1) against one with a flaw; the postdeploy hook, run with
/// the template's outputs and a fake az on PATH, creates the Event Grid subscription the blob trigger needs and fails
/// when the function has no blobs_extension key. Nothing here reaches Azure.
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed class ScriptTests(TemplateFixture fixture)
{
    private static string Script(string name) => Path.Combine(BicepCli.InfraFolder, "scripts", name);

    public static TheoryData<string> Scripts => [.. Directory.EnumerateFiles(Path.Combine(BicepCli.InfraFolder, "scripts"), "*.sh").Select(f => Path.GetFileName(f)!)];

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_IsValidBash(string script)
    {
        var check = await Tool.RunAsync("bash", ["-n", Script(script)]);

        Assert.True(check.ExitCode == 0, check.All);
        Assert.StartsWith("#!/usr/bin/env bash", await File.ReadAllTextAsync(Script(script)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmokeTest_AgainstAWorkingApp_PassesEveryCheck()
    {
        await using var app = await AppStub.StartAsync();

        var run = await SmokeTestAsync(app, withKey: true, withRealLink: true);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("6 passed, 0 failed, 0 skipped", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(AppStub.Key, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmokeTest_WithoutTheSigningKeyOrALink_SkipsThoseChecksAndSaysSo()
    {
        await using var app = await AppStub.StartAsync();

        var run = await SmokeTestAsync(app, withKey: false, withRealLink: false);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("4 passed, 0 failed, 2 skipped", run.Output, StringComparison.Ordinal);
        Assert.Contains("SKIP a provider link signed with the deployed key", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StubFlaw.AnonymousCallersAllowed, "FAIL GET /api/engagements without a token answers 401")]
    [InlineData(StubFlaw.BareUnauthorized, "FAIL GET /api/engagements without a token answers 401: expected content type application/problem+json")]
    [InlineData(StubFlaw.LocalStores, "FAIL GET /api/health answers 200 with the Azure stores")]
    [InlineData(StubFlaw.ProviderLinksUnchecked, "FAIL a provider link with a forged signature answers 403")]
    internal async Task SmokeTest_AgainstAFlawedApp_Fails(StubFlaw flaw, string expected)
    {
        await using var app = await AppStub.StartAsync(flaw);

        var run = await SmokeTestAsync(app, withKey: true, withRealLink: true);

        Assert.True(run.ExitCode == 1, run.All);
        Assert.Contains(expected, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmokeTest_WhenTheAppDoesNotAnswer_Fails()
    {
        var run = await Tool.RunAsync("bash", [Script("smoke-test.sh"), "http://127.0.0.1:9"], new Dictionary<string, string> { ["METS_SMOKE_TIMEOUT_SECONDS"] = "5" });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("0 passed, 4 failed, 2 skipped", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmokeTest_WithoutABaseUrl_ExitsWithUsage()
    {
        var run = await Tool.RunAsync("bash", [Script("smoke-test.sh")], new Dictionary<string, string> { ["FUNCTION_APP_URL"] = string.Empty });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("usage", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostdeployHook_WithTheTemplateOutputs_SubscribesTheBlobTriggerToInboxUploads()
    {
        using var az = FakeAz.Create(blobsExtensionKey: "blobs-key-123");

        var run = await PostdeployAsync(az);

        Assert.True(run.ExitCode == 0, run.All);
        var create = az.Calls().Single(c => c.StartsWith("eventgrid system-topic event-subscription create", StringComparison.Ordinal));
        var outputs = Outputs();
        Assert.Contains($"--system-topic-name {outputs["EVENTGRID_SYSTEM_TOPIC_NAME"]}", create, StringComparison.Ordinal);
        Assert.Contains("--endpoint-type webhook", create, StringComparison.Ordinal);
        Assert.Contains($"--endpoint https://func.example/runtime/webhooks/blobs?functionName=Host.Functions.{outputs["CLAIMS_BLOB_FUNCTION_NAME"]}&code=blobs-key-123", create, StringComparison.Ordinal);
        Assert.Contains("--included-event-types Microsoft.Storage.BlobCreated", create, StringComparison.Ordinal);
        Assert.Contains($"--subject-begins-with /blobServices/default/containers/{outputs["CLAIMS_INBOX_CONTAINER"]}/", create, StringComparison.Ordinal);
        Assert.Contains($"--resource-group {TestParameters.ResourceGroup}", create, StringComparison.Ordinal);
        Assert.Contains(az.Calls(), c => c == $"functionapp keys list --resource-group {TestParameters.ResourceGroup} --name {outputs["FUNCTION_APP_NAME"]} --query systemKeys.blobs_extension --output tsv");
        Assert.DoesNotContain("blobs-key-123", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public void PostdeployHook_SubscribesTheAppsEventGridBlobTriggerToTheContainerItWatches()
    {
        // The outputs the hook reads name the blob trigger of the app's real functions.metadata, and the container its
        // path expression (%Setting%/{name}) resolves to with the template's app settings.
        var outputs = Outputs();
        var functions = JsonNode.Parse(File.ReadAllText(FunctionApp.Tests.FunctionAppBuild.MetadataPath))!.AsArray();
        var (function, trigger) = functions.SelectMany(f => f!["bindings"]!.AsArray().Select(b => (Function: f, Binding: b!)))
            .Single(p => p.Binding.Str("type") == "blobTrigger");

        Assert.Equal(function.Str("name"), outputs["CLAIMS_BLOB_FUNCTION_NAME"]);
        Assert.Equal("EventGrid", trigger.Str("source"));
        var setting = Regex.Match(trigger.Str("path")!, "^%([^%]+)%/").Groups[1].Value;
        Assert.Equal(outputs["CLAIMS_INBOX_CONTAINER"], fixture.Template.AppSettings.Str(setting.Replace(":", "__", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PostdeployHook_WhenTheFunctionHasNoBlobsExtensionKey_FailsWithoutSubscribing()
    {
        using var az = FakeAz.Create(blobsExtensionKey: null);

        var run = await PostdeployAsync(az);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no blobs_extension system key", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(az.Calls(), c => c.StartsWith("eventgrid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostdeployHook_WhenCreatingTheSubscriptionFails_Fails()
    {
        using var az = FakeAz.Create(blobsExtensionKey: "k", eventGridFails: true);

        var run = await PostdeployAsync(az);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("creating the Event Grid subscription", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostdeployHook_WithoutTheDeploymentOutputs_ExitsNamingTheMissingOnes()
    {
        using var az = FakeAz.Create(blobsExtensionKey: "k");

        var run = await Tool.RunAsync("bash", [Script("postdeploy-eventgrid.sh")], new Dictionary<string, string> { ["PATH"] = az.Path, ["AZURE_RESOURCE_GROUP"] = "rg" });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("FUNCTION_APP_NAME is not set", run.Error, StringComparison.Ordinal);
        Assert.Empty(az.Calls());
    }

    private static Task<ProcessResult> SmokeTestAsync(AppStub app, bool withKey, bool withRealLink)
    {
        var environment = new Dictionary<string, string> { ["FUNCTION_APP_URL"] = app.BaseUrl };
        if (withKey)
        {
            environment["METS_PROVIDER_LINK_KEY_ID"] = AppStub.KeyId;
            environment["METS_PROVIDER_LINK_KEY"] = AppStub.Key;
        }

        if (withRealLink)
        {
            environment["PROVIDER_LINK_URL"] = $"https://mets.example.org/api/provider-responses/{app.RealLinkToken}";
        }

        return Tool.RunAsync("bash", [Script("smoke-test.sh")], environment);
    }

    /// <summary>main.bicep's outputs, as azd hands them to hooks (string outputs only: those evaluated by the snapshot).</summary>
    private Dictionary<string, string> Outputs() =>
        fixture.Template.Snapshot["outputs"]!.AsObject()
            .Where(o => o.Value is JsonValue v && v.TryGetValue<string>(out var s) && !s.StartsWith('['))
            .ToDictionary(o => o.Key, o => o.Value!.GetValue<string>(), StringComparer.Ordinal);

    private Task<ProcessResult> PostdeployAsync(FakeAz az)
    {
        var environment = Outputs();
        environment["FUNCTION_APP_URL"] = "https://func.example";
        environment["AZURE_RESOURCE_GROUP"] = TestParameters.ResourceGroup;
        environment["PATH"] = az.Path;
        environment["METS_KEY_ATTEMPTS"] = "2";
        environment["METS_KEY_DELAY_SECONDS"] = "0";
        return Tool.RunAsync("bash", [Script("postdeploy-eventgrid.sh")], environment);
    }
}

/// <summary>
/// A folder with fake <c>az</c> and <c>curl</c> commands first on PATH: az records each call (one line of arguments)
/// and answers the two the hook makes; curl succeeds silently.
/// </summary>
internal sealed class FakeAz : IDisposable
{
    private readonly DirectoryInfo _folder;

    private FakeAz(DirectoryInfo folder) => _folder = folder;

    public string Path => $"{_folder.FullName}:{Environment.GetEnvironmentVariable("PATH")}";

    private string LogFile => System.IO.Path.Combine(_folder.FullName, "az.log");

    public static FakeAz Create(string? blobsExtensionKey, bool eventGridFails = false)
    {
        var folder = Directory.CreateTempSubdirectory("mets-fake-az-");
        var log = System.IO.Path.Combine(folder.FullName, "az.log");
        File.WriteAllText(log, string.Empty);
        Write(System.IO.Path.Combine(folder.FullName, "az"), $$"""
            #!/usr/bin/env bash
            echo "$*" >> '{{log}}'
            case "$1 $2 $3" in
              "functionapp keys list") printf '%s\n' '{{blobsExtensionKey ?? string.Empty}}' ;;
              "eventgrid system-topic event-subscription") {{(eventGridFails ? "echo 'ERROR: (Conflict) validation failed' >&2; exit 1" : "exit 0")}} ;;
              *) echo "fake az: unexpected call: $*" >&2; exit 3 ;;
            esac
            """);
        Write(System.IO.Path.Combine(folder.FullName, "curl"), "#!/usr/bin/env bash\nexit 0\n");
        return new FakeAz(folder);
    }

    public IReadOnlyList<string> Calls() => File.ReadAllLines(LogFile);

    public void Dispose() => _folder.Delete(recursive: true);

    private static void Write(string path, string content)
    {
        File.WriteAllText(path, content.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
