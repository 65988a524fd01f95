using System.Text.Json.Nodes;
using static Mets.Infra.Tests.Template.Promises;

namespace Mets.Infra.Tests.Template;

/// <summary>
/// The compiled template keeps every promise of <see cref="Promises"/>, and each promise's check fails on a copy of the
/// template with a flaw planted (<see cref="Flaws"/>): a check that cannot fail proves nothing.
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed class LockdownTests(TemplateFixture fixture)
{
    public static TheoryData<string> PromiseNames => [.. All.Select(p => p.Name)];

    public static TheoryData<string> FlawNames => [.. Flaws.Keys];

    [Theory]
    [MemberData(nameof(PromiseNames))]
    public void Template_KeepsPromise(string promise)
    {
        var violations = Get(promise).Violations(fixture.Template).ToList();

        Assert.True(violations.Count == 0, $"{promise}:\n  " + string.Join("\n  ", violations));
    }

    [Theory]
    [MemberData(nameof(FlawNames))]
    public void TemplateWithFlaw_BreaksThePromise(string flaw)
    {
        var (promise, plant) = Flaws[flaw];
        var copy = fixture.Template.Clone();

        plant(copy);

        Assert.NotEmpty(Get(promise).Violations(copy));
        Assert.Empty(Get(promise).Violations(fixture.Template));
    }

    [Theory]
    [InlineData("modules/storage.bicep", "allowSharedKeyAccess: false", "allowSharedKeyAccess: true", "storage accounts refuse shared keys", "allowSharedKeyAccess")]
    [InlineData("app-settings.json", "\"Claims__Analytics__RecentEventDays\": \"30\",", "", EverySetting, "Claims__Analytics__RecentEventDays")]
    [InlineData("modules/storage.bicep", "allowProtectedAppendWrites: false", "allowProtectedAppendWrites: true", AuditImmutable, "allowProtectedAppendWrites")]
    public async Task InfraSourceWithFlaw_CompilesToATemplateThatBreaksThePromise(string file, string find, string replace, string promise, string named)
    {
        // The same checks, from a flaw in infra/ through the real compiler: a copy of infra/ whose storage module allows
        // shared keys, or whose tunable settings lack one the app reads.
        var work = Directory.CreateTempSubdirectory("mets-infra-flaw-");
        try
        {
            var infra = TemplateFixture.CopyInfra(work.FullName);
            var path = Path.Combine(infra, file);
            var source = await File.ReadAllTextAsync(path);
            Assert.Contains(find, source, StringComparison.Ordinal);
            await File.WriteAllTextAsync(path, source.Replace(find, replace, StringComparison.Ordinal));

            var snapshot = await TemplateFixture.RunSnapshotAsync(infra);

            Assert.True(snapshot.ExitCode == 0, snapshot.All);
            var flawed = new DeploymentTemplate(fixture.Template.Compiled, JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(infra, "main.snapshot.json")))!.AsObject());
            Assert.Contains(Get(promise).Violations(flawed), v => v.Contains(named, StringComparison.Ordinal));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void EveryPromise_HasAFlawThatBreaksIt()
    {
        var untested = All.Select(p => p.Name).Except(Flaws.Values.Select(f => f.Promise)).ToList();

        Assert.True(untested.Count == 0, "promises without a planted flaw: " + string.Join("; ", untested));
    }

    [Fact]
    public void EveryDeployedResourceType_IsClassifiedForDiagnosticSettings()
    {
        var types = fixture.Template.PredictedResources.Select(r => r.Str("type")!).Distinct(StringComparer.OrdinalIgnoreCase);

        var unclassified = types.Where(t => !WithDiagnostics.Contains(t) && !WithoutDiagnostics.ContainsKey(t)).ToList();

        Assert.True(unclassified.Count == 0, "decide whether these send diagnostic settings (Promises.WithDiagnostics / WithoutDiagnostics): " + string.Join(", ", unclassified));
    }

    [Fact]
    public void Snapshot_HasEveryResourceTypeOfTheCompiledTemplate()
    {
        // The checks read the snapshot; the walker over the compiled JSON shows it dropped nothing the build holds.
        var compiled = fixture.Template.CompiledTemplates()
            .SelectMany(t => t.Template["resources"] switch
            {
                JsonObject symbolic => symbolic.Select(p => p.Value as JsonObject),
                JsonArray array => array.Select(n => n as JsonObject),
                _ => [],
            })
            .Where(r => r is not null && r["existing"]?.GetValue<bool>() != true)
            .Select(r => r.Str("type")!)
            .Where(type => !string.Equals(type, "Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var predicted = fixture.Template.PredictedResources.Select(r => r.Str("type")!).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.True(compiled.SetEquals(predicted), $"compiled: {string.Join(", ", compiled.Order())}\npredicted: {string.Join(", ", predicted.Order())}");
        Assert.Contains(fixture.Template.CompiledResources(Secrets), s => s["properties"]?["value"] is not null);
    }

    private static readonly string OtherIdentity =
        $"/subscriptions/{TestParameters.SubscriptionId}/resourceGroups/{TestParameters.ResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/someone-else";

    /// <summary>Each flaw: the promise it breaks and how to plant it in a copy of the template.</summary>
    public static readonly IReadOnlyDictionary<string, (string Promise, Action<DeploymentTemplate> Plant)> Flaws =
        new Dictionary<string, (string, Action<DeploymentTemplate>)>
        {
            ["storage allows shared keys"] = ("storage accounts refuse shared keys", t => Set(t, StorageAccounts, "properties.allowSharedKeyAccess", true)),
            ["storage does not say whether shared keys are allowed"] = ("storage accounts refuse shared keys", t => Unset(t, StorageAccounts, "properties.allowSharedKeyAccess")),
            ["storage allows public blob access"] = ("storage accounts allow no public blob access", t => Set(t, StorageAccounts, "properties.allowBlobPublicAccess", true)),
            ["a claims container is public"] = ("storage accounts allow no public blob access", t => Set(t, BlobContainers, "properties.publicAccess", "Blob", r => r.Str("name")!.EndsWith("/claims-inbox", StringComparison.Ordinal))),
            ["storage accepts TLS 1.0"] = ("storage accounts require HTTPS and TLS 1.2", t => Set(t, StorageAccounts, "properties.minimumTlsVersion", "TLS1_0")),
            ["storage accepts HTTP"] = ("storage accounts require HTTPS and TLS 1.2", t => Set(t, StorageAccounts, "properties.supportsHttpsTrafficOnly", false)),
            ["blob soft delete off"] = ("blob soft delete is on", t => Set(t, BlobServices, "properties.deleteRetentionPolicy.enabled", false)),
            ["container soft delete off"] = ("blob soft delete is on", t => Unset(t, BlobServices, "properties.containerDeleteRetentionPolicy")),
            ["the audit container has no retention policy"] = (AuditImmutable, t => RemoveOne(t, r => r.Str("type") == ImmutabilityPolicies)),
            ["the audit container's policy allows appends"] = (AuditImmutable, t => Set(t, ImmutabilityPolicies, "properties.allowProtectedAppendWrites", true)),
            ["the audit container's retention is zero days"] = (AuditImmutable, t => Set(t, ImmutabilityPolicies, "properties.immutabilityPeriodSinceCreationInDays", 0)),
            ["the app writes anchors to a container without the policy"] = (AuditImmutable, t => t.AppSettings["AuditStorage__Container"] = "claims-processed"),
            ["the audit container is missing"] = (AuditImmutable, t => RemoveOne(t, r => r.Str("type") == BlobContainers && r.Str("name")!.EndsWith("/audit-anchors", StringComparison.Ordinal))),
            ["Cosmos DB accepts keys"] = ("Cosmos DB accounts refuse keys", t => Set(t, CosmosAccounts, "properties.disableLocalAuth", false)),
            ["Cosmos DB does not say whether keys are accepted"] = ("Cosmos DB accounts refuse keys", t => Unset(t, CosmosAccounts, "properties.disableLocalAuth")),
            ["Cosmos DB has periodic backup"] = ("Cosmos DB has continuous backup", t => Set(t, CosmosAccounts, "properties.backupPolicy", new JsonObject { ["type"] = "Periodic" })),
            ["the cases container is partitioned by id"] = ("every Cosmos container of docs/cosmos.md is deployed as CosmosLayout describes it", t => Set(t, CosmosContainers, "properties.resource.partitionKey.paths", new JsonArray("/id"), Named("/cases"))),
            ["the sent-emails container is missing"] = ("every Cosmos container of docs/cosmos.md is deployed as CosmosLayout describes it", t => RemoveOne(t, r => r.Str("type") == CosmosContainers && r.Str("name")!.EndsWith("/sent-emails", StringComparison.Ordinal))),
            ["the claims container indexes every path"] = ("every Cosmos container of docs/cosmos.md is deployed as CosmosLayout describes it", t => Set(t, CosmosContainers, "properties.resource.indexingPolicy.excludedPaths", new JsonArray(), Named("/claims"))),
            ["the work queue indexes one more path"] = ("every Cosmos container of docs/cosmos.md is deployed as CosmosLayout describes it", t => Find(t, CosmosContainers, Named("/work-queue")).At("properties.resource.indexingPolicy.includedPaths")!.AsArray().Add(new JsonObject { ["path"] = "/status/?" })),
            ["a container docs/cosmos.md does not have"] = ("every Cosmos container of docs/cosmos.md is deployed as CosmosLayout describes it", t => Find(t, CosmosContainers, Named("/claims")).Let(c => t.PredictedResources.Add(Renamed(c, "/claims", "/claims-old")))),
            ["the app accepts HTTP"] = ("the function app is HTTPS only with TLS 1.2", t => Set(t, Sites, "properties.httpsOnly", false)),
            ["the app accepts TLS 1.0"] = ("the function app is HTTPS only with TLS 1.2", t => Set(t, Sites, "properties.siteConfig.minTlsVersion", "1.0")),
            ["the app's deployment endpoint accepts TLS 1.1"] = ("the function app is HTTPS only with TLS 1.2", t => Set(t, Sites, "properties.siteConfig.scmMinTlsVersion", "1.1")),
            ["FTP publishing with basic credentials allowed"] = ("the function app allows no FTP or basic publishing credentials", t => Set(t, PublishingPolicies, "properties.allow", true, r => r.Str("name")!.EndsWith("/ftp", StringComparison.Ordinal))),
            ["no policy for SCM basic credentials"] = ("the function app allows no FTP or basic publishing credentials", t => RemoveOne(t, r => r.Str("type") == PublishingPolicies && r.Str("name")!.EndsWith("/scm", StringComparison.Ordinal))),
            ["the app runs .NET 8"] = ("the function app runs .NET 10 isolated on Flex Consumption with its user-assigned identity", t => Set(t, Sites, "properties.functionAppConfig.runtime.version", "8.0")),
            ["the app also has a system-assigned identity"] = ("the function app runs .NET 10 isolated on Flex Consumption with its user-assigned identity", t => Set(t, Sites, "identity.type", "SystemAssigned, UserAssigned")),
            ["Key Vault references resolved with another identity"] = ("the function app runs .NET 10 isolated on Flex Consumption with its user-assigned identity", t => Set(t, Sites, "properties.keyVaultReferenceIdentity", "SystemAssigned")),
            ["the plan is Elastic Premium"] = ("the function app runs .NET 10 isolated on Flex Consumption with its user-assigned identity", t => Set(t, Plans, "sku", new JsonObject { ["tier"] = "ElasticPremium", ["name"] = "EP1" })),
            ["the SendGrid key parameter has a default"] = ("no parameter holding a secret has a default", t => t.Compiled["parameters"]!["sendGridApiKey"]!.AsObject().Add("defaultValue", "SG.default")),
            ["a module's signing key parameter is a plain string"] = ("no parameter holding a secret has a default", t => t.CompiledTemplates().Single(m => m.Path == "main/keyvault").Template["parameters"]!["providerLinkKey"]!["type"] = "string"),
            ["an output lists the storage keys"] = ("outputs hold no secrets", t => t.Compiled["outputs"]!.AsObject().Add("storageKey", new JsonObject { ["type"] = "string", ["value"] = "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'x'), '2025-01-01').keys[0].value]" })),
            ["an output returns the SendGrid key"] = ("outputs hold no secrets", t => t.Compiled["outputs"]!.AsObject().Add("sendGrid", new JsonObject { ["type"] = "string", ["value"] = "[parameters('sendGridApiKey')]" })),
            ["no queue role for the app"] = ("the app identity has a role on every data plane it touches", t => RemoveOne(t, r => r.Str("type") == RoleAssignments && r.At("properties.roleDefinitionId").Str()!.EndsWith(Roles.StorageQueueDataContributor, StringComparison.Ordinal))),
            ["Key Vault Reader instead of Secrets User"] = ("the app identity has a role on every data plane it touches", t => Set(t, RoleAssignments, "properties.roleDefinitionId", $"/subscriptions/{TestParameters.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/21090545-7ca7-4776-b22c-e363652d74d2", r => r.At("properties.roleDefinitionId").Str()!.EndsWith(Roles.KeyVaultSecretsUser, StringComparison.Ordinal))),
            ["the blob role goes to another identity"] = ("the app identity has a role on every data plane it touches", t => Set(t, RoleAssignments, "properties.principalId", $"[reference('{OtherIdentity}', '2024-11-30').principalId]", r => r.At("properties.roleDefinitionId").Str()!.EndsWith(Roles.StorageBlobDataOwner, StringComparison.Ordinal))),
            ["no Cosmos DB data role"] = ("the app identity has a role on every data plane it touches", t => RemoveOne(t, r => r.Str("type") == CosmosRoleAssignments)),
            ["no metrics publisher role"] = ("the app identity has a role on every data plane it touches", t => RemoveOne(t, r => r.Str("type") == RoleAssignments && r.At("properties.roleDefinitionId").Str()!.EndsWith(Roles.MonitoringMetricsPublisher, StringComparison.Ordinal))),
            ["Owner on the resource group"] = ("no role assignment grants more than data access to one resource", t => t.PredictedResources.Add(new JsonObject
            {
                ["id"] = $"/subscriptions/{TestParameters.SubscriptionId}/resourceGroups/{TestParameters.ResourceGroup}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-0000000000ff",
                ["type"] = RoleAssignments,
                ["name"] = "00000000-0000-0000-0000-0000000000ff",
                ["properties"] = new JsonObject { ["roleDefinitionId"] = $"/subscriptions/{TestParameters.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635" },
            })),
            ["no Event Grid system topic"] = ("the storage account has an Event Grid system topic", t => RemoveOne(t, r => r.Str("type") == SystemTopics)),
            ["the topic publishes another account's events"] = ("the storage account has an Event Grid system topic", t => Set(t, SystemTopics, "properties.source", $"/subscriptions/{TestParameters.SubscriptionId}/resourceGroups/other/providers/Microsoft.Storage/storageAccounts/other")),
            ["Key Vault without purge protection"] = ("Key Vault uses RBAC, soft delete and purge protection", t => Set(t, Vaults, "properties.enablePurgeProtection", false)),
            ["Key Vault with access policies"] = ("Key Vault uses RBAC, soft delete and purge protection", t => Set(t, Vaults, "properties.enableRbacAuthorization", false)),
            ["no diagnostic settings on Key Vault"] = ("every resource with diagnostic settings sends them to the workspace", t => RemoveOne(t, r => r.Str("type") == DiagnosticSettings && r.Str("id")!.Contains("/Microsoft.KeyVault/vaults/", StringComparison.Ordinal))),
            ["the app's diagnostics go to another workspace"] = ("every resource with diagnostic settings sends them to the workspace", t => Set(t, DiagnosticSettings, "properties.workspaceId", "/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z", r => r.Str("id")!.Contains("/Microsoft.Web/sites/", StringComparison.Ordinal))),
            ["the SendGrid key in plain text"] = ("app settings hold secrets only as Key Vault references", t => t.AppSettings["SendGrid__ApiKey"] = "SG.plain-text-key"),
            ["the signing key in plain text"] = ("app settings hold secrets only as Key Vault references", t => t.AppSettings[$"Mets__ProviderLinks__Keys__{TestParameters.ActiveKeyId}"] = Convert.ToBase64String(new byte[32])),
            ["a reference to a secret the deployment does not create"] = ("app settings hold secrets only as Key Vault references", t => t.AppSettings["SendGrid__ApiKey"] = t.AppSettings.Str("SendGrid__ApiKey")!.Replace("sendgrid-api-key", "sendgrid-old", StringComparison.Ordinal)),
            ["a storage account key in a setting"] = ("app settings hold secrets only as Key Vault references", t => t.AppSettings["ClaimsStorage__ServiceUri"] = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc=="),
            ["AzureWebJobsStorage as a connection string"] = ("connections authenticate with the app's user-assigned identity", t => t.AppSettings["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=x"),
            ["the claims connection without a credential"] = ("connections authenticate with the app's user-assigned identity", t => t.AppSettings.Remove("ClaimsStorage__credential")),
            ["the host storage with another identity"] = ("connections authenticate with the app's user-assigned identity", t => t.AppSettings["AzureWebJobsStorage__clientId"] = $"[reference('{OtherIdentity}', '2024-11-30').clientId]"),
            ["the claims trigger without the queue service"] = ("connections authenticate with the app's user-assigned identity", t => t.AppSettings.Remove("ClaimsStorage__queueServiceUri")),
            ["the audit anchors written with another identity"] = ("connections authenticate with the app's user-assigned identity", t => t.AppSettings["AuditStorage__ClientId"] = $"[reference('{OtherIdentity}', '2024-11-30').clientId]"),
            ["Cosmos DB with a key"] = ("connections authenticate with the app's user-assigned identity", t => t.AppSettings["Cosmos__Key"] = "@Microsoft.KeyVault(VaultName=v;SecretName=cosmos-key)"),
            ["Cosmos DB without the identity's client id"] = ("connections authenticate with the app's user-assigned identity", t => t.AppSettings.Remove("Cosmos__ManagedIdentityClientId")),
            ["Application Insights accepts the instrumentation key alone"] = ("connections authenticate with the app's user-assigned identity", t => Set(t, AppInsights, "properties.DisableLocalAuth", false)),
            ["SendGrid's sender address not set"] = (EverySetting, t => Assert.True(t.AppSettings.Remove("SendGrid__FromAddress"))),
            ["a timer's schedule left out of app-settings.json"] = (EverySetting, t => Assert.True(t.AppSettings.Remove("Mets__Workflow__RepairSweepSchedule"))),
            ["host.json's task hub name not set"] = (EverySetting, t => Assert.True(t.AppSettings.Remove("METS_TASK_HUB"))),
            ["no clinician in the care team"] = (EverySetting, t => RemoveSettings(t, "Mets__Roster__Clinicians__")),
            ["the Entra audience under another name"] = (EverySetting, t => Rename(t, "Mets__Entra__Audience", "Mets__Entra__ClientId")),
            ["the Cosmos database under a misspelled name"] = (NothingElse, t => Rename(t, "Cosmos__Database", "Cosmos__DatabaseName")),
            ["FUNCTIONS_WORKER_RUNTIME set (Flex Consumption refuses it)"] = (NothingElse, t => t.AppSettings["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated"),
            ["the embedded stores' data folder set"] = (NothingElse, t => t.AppSettings["Mets__Workflow__DataFolder"] = "/home/data"),
            ["the platform's site name set"] = (NothingElse, t => t.AppSettings["WEBSITE_SITE_NAME"] = "func-mets"),
        };

    private const string EverySetting = "the app settings set every setting the function app reads";

    private const string AuditImmutable = "the audit anchors' container keeps every blob immutable (time-based retention, no appends)";

    private const string NothingElse = "the app settings set nothing but what the function app and its host read";

    private static void Rename(DeploymentTemplate t, string from, string to)
    {
        var value = t.AppSettings[from] ?? throw new InvalidOperationException($"{from} is not set");
        Assert.True(t.AppSettings.Remove(from));
        t.AppSettings[to] = value;
    }

    private static void RemoveSettings(DeploymentTemplate t, string prefix)
    {
        var doomed = t.AppSettings.Select(s => s.Key).Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(doomed);
        doomed.ForEach(k => t.AppSettings.Remove(k));
    }

    private static Func<JsonObject, bool> Named(string suffix) => r => r.Str("name")!.EndsWith(suffix, StringComparison.Ordinal);

    private static JsonObject Find(DeploymentTemplate t, string type, Func<JsonObject, bool>? which = null) =>
        t.Resources(type).FirstOrDefault(which ?? (_ => true)) ?? throw new InvalidOperationException($"no {type} to plant the flaw in");

    /// <summary>Sets the property at a dotted path of the first matching resource (creating objects on the way).</summary>
    private static void Set(DeploymentTemplate t, string type, string path, JsonNode? value, Func<JsonObject, bool>? which = null)
    {
        JsonNode node = Find(t, type, which);
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
        {
            node = node[part] ??= new JsonObject();
        }

        node[parts[^1]] = value;
    }

    private static void Unset(DeploymentTemplate t, string type, string path)
    {
        var parts = path.Split('.');
        var parent = Find(t, type).At(string.Join('.', parts[..^1]))!.AsObject();
        Assert.True(parent.Remove(parts[^1]), $"{path} was not there to remove");
    }

    private static void RemoveOne(DeploymentTemplate t, Func<JsonObject, bool> match) => Assert.Equal(1, t.Remove(match));

    private static JsonObject Renamed(JsonObject resource, string from, string to)
    {
        var copy = resource.DeepClone().AsObject();
        copy["id"] = copy.Str("id")!.Replace(from, to, StringComparison.Ordinal);
        copy["name"] = copy.Str("name")!.Replace(from, to, StringComparison.Ordinal);
        return copy;
    }
}

internal static class FlawExtensions
{
    /// <summary>Runs <paramref name="action"/> on <paramref name="value"/> (lets a flaw be one expression).</summary>
    public static void Let<T>(this T value, Action<T> action) => action(value);
}
