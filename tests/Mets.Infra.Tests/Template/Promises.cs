using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mets.Azure.Cosmos;

namespace Mets.Infra.Tests.Template;

/// <summary>One thing the deployment promises (docs/deploy.md, "What the template locks down"), and how to see it broken.</summary>
public sealed record Promise(string Name, Func<DeploymentTemplate, IEnumerable<string>> Violations)
{
    public override string ToString() => Name;
}

/// <summary>
/// The checks on the compiled template. Each answers the violations it finds (empty: the promise is kept), so a test
/// can show both that the real template keeps it and that a copy with the flaw planted breaks it.
/// </summary>
internal static partial class Promises
{
    public const string StorageAccounts = "Microsoft.Storage/storageAccounts";
    public const string BlobServices = "Microsoft.Storage/storageAccounts/blobServices";
    public const string BlobContainers = "Microsoft.Storage/storageAccounts/blobServices/containers";
    public const string ImmutabilityPolicies = "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies";
    public const string CosmosAccounts = "Microsoft.DocumentDB/databaseAccounts";
    public const string CosmosContainers = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers";
    public const string CosmosRoleAssignments = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments";
    public const string Sites = "Microsoft.Web/sites";
    public const string Plans = "Microsoft.Web/serverfarms";
    public const string PublishingPolicies = "Microsoft.Web/sites/basicPublishingCredentialsPolicies";
    public const string Vaults = "Microsoft.KeyVault/vaults";
    public const string Secrets = "Microsoft.KeyVault/vaults/secrets";
    public const string AppInsights = "Microsoft.Insights/components";
    public const string Workspaces = "Microsoft.OperationalInsights/workspaces";
    public const string RoleAssignments = "Microsoft.Authorization/roleAssignments";
    public const string DiagnosticSettings = "Microsoft.Insights/diagnosticSettings";
    public const string SystemTopics = "Microsoft.EventGrid/systemTopics";

    /// <summary>Azure built-in role definition ids (the same in every tenant), by name.</summary>
    public static class Roles
    {
        public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
        public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
        public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
        public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
        public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
        public const string CosmosDataContributor = "00000000-0000-0000-0000-000000000002";

        /// <summary>Roles that manage resources or grant access: never for the app.</summary>
        public static readonly IReadOnlyDictionary<string, string> TooBroad = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"] = "Owner",
            ["b24988ac-6180-42a0-ab88-20f7382dd24c"] = "Contributor",
            ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"] = "User Access Administrator",
            ["f58310d9-a9f6-439a-9e8d-f62e7b41a168"] = "Role Based Access Control Administrator",
            ["17d1049b-9a84-46fb-8f53-869881c3d3ab"] = "Storage Account Contributor",
            ["00482a5a-887f-4fb3-b363-3b7fe8e74483"] = "Key Vault Administrator",
            ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = "Key Vault Secrets Officer",
            ["5bd9cd88-fe45-4216-938b-f97437e15450"] = "DocumentDB Account Contributor",
            ["230815da-be43-4aae-9cb4-875f7bd000aa"] = "Cosmos DB Operator",
        };
    }

    /// <summary>The Durable task hub's storage connection: host.json's storageProvider names none, so AzureWebJobsStorage.</summary>
    public static string DurableConnection()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "host.json")));
        var provider = host.At("extensions.durableTask.storageProvider");
        return provider.Str("connectionName") ?? provider.Str("connectionStringName") ?? "AzureWebJobsStorage";
    }

    /// <summary>The blob trigger's connection (ClaimsBlobFunction's Connection): the ClaimsStorage section.</summary>
    public const string ClaimsConnection = "ClaimsStorage";

    /// <summary>JSON text as written (no \u0027 for a quote), for searching expressions.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IReadOnlyList<Promise> All { get; } =
    [
        new("storage accounts refuse shared keys", StorageRefusesSharedKeys),
        new("storage accounts allow no public blob access", StorageAllowsNoPublicAccess),
        new("storage accounts require HTTPS and TLS 1.2", StorageRequiresTls12),
        new("blob soft delete is on", BlobSoftDeleteIsOn),
        new("the audit anchors' container keeps every blob immutable (time-based retention, no appends)", AuditContainerIsImmutable),
        new("Cosmos DB accounts refuse keys", CosmosRefusesKeys),
        new("Cosmos DB has continuous backup", CosmosHasContinuousBackup),
        new("every Cosmos container of docs/cosmos.md is deployed as CosmosLayout describes it", CosmosContainersMatchLayout),
        new("the function app is HTTPS only with TLS 1.2", AppIsHttpsOnlyWithTls12),
        new("the function app allows no FTP or basic publishing credentials", AppAllowsNoBasicPublishing),
        new("the function app runs .NET 10 isolated on Flex Consumption with its user-assigned identity", AppRunsOnFlexWithItsIdentity),
        new("no parameter holding a secret has a default", NoSecretParameterHasADefault),
        new("outputs hold no secrets", OutputsHoldNoSecrets),
        new("the app identity has a role on every data plane it touches", AppIdentityHasEveryDataRole),
        new("no role assignment grants more than data access to one resource", RolesAreLeastPrivilege),
        new("the storage account has an Event Grid system topic", StorageHasEventGridTopic),
        new("Key Vault uses RBAC, soft delete and purge protection", VaultIsLockedDown),
        new("every resource with diagnostic settings sends them to the workspace", DiagnosticsReachTheWorkspace),
        new("app settings hold secrets only as Key Vault references", SecretsAreKeyVaultReferences),
        new("connections authenticate with the app's user-assigned identity", ConnectionsUseTheIdentity),
        new("the app settings set every setting the function app reads", AppSettingsSetEverySettingTheAppReads),
        new("the app settings set nothing but what the function app and its host read", AppSettingsSetNothingTheAppDoesNotRead),
    ];

    public static Promise Get(string name) => All.Single(p => p.Name == name);

    private static IEnumerable<string> StorageRefusesSharedKeys(DeploymentTemplate t)
    {
        var accounts = t.Resources(StorageAccounts).ToList();
        if (accounts.Count == 0)
        {
            yield return "no storage account";
        }

        foreach (var account in accounts.Where(a => !a.At("properties.allowSharedKeyAccess").Is(false)))
        {
            yield return $"{account.Str("name")}: allowSharedKeyAccess is not false (absent means allowed)";
        }
    }

    private static IEnumerable<string> StorageAllowsNoPublicAccess(DeploymentTemplate t)
    {
        foreach (var account in t.Resources(StorageAccounts).Where(a => !a.At("properties.allowBlobPublicAccess").Is(false)))
        {
            yield return $"{account.Str("name")}: allowBlobPublicAccess is not false";
        }

        foreach (var container in t.Resources(BlobContainers))
        {
            var access = container.At("properties.publicAccess").Str();
            if (access is not null && access != "None")
            {
                yield return $"{container.Str("name")}: publicAccess is {access}";
            }
        }
    }

    private static IEnumerable<string> StorageRequiresTls12(DeploymentTemplate t)
    {
        foreach (var account in t.Resources(StorageAccounts))
        {
            if (!account.At("properties.supportsHttpsTrafficOnly").Is(true))
            {
                yield return $"{account.Str("name")}: supportsHttpsTrafficOnly is not true";
            }

            if (account.At("properties.minimumTlsVersion").Str() is not ("TLS1_2" or "TLS1_3"))
            {
                yield return $"{account.Str("name")}: minimumTlsVersion is not TLS1_2";
            }
        }
    }

    private static IEnumerable<string> BlobSoftDeleteIsOn(DeploymentTemplate t)
    {
        var accounts = t.Resources(StorageAccounts).Select(a => a.Str("id")!).ToList();
        foreach (var account in accounts)
        {
            var service = t.ById(account + "/blobServices/default");
            if (service is null)
            {
                yield return $"{account}: no blob service settings (soft delete off)";
                continue;
            }

            foreach (var policy in new[] { "deleteRetentionPolicy", "containerDeleteRetentionPolicy" })
            {
                if (!service.At($"properties.{policy}.enabled").Is(true) || service.At($"properties.{policy}.days")?.GetValue<int>() is not > 0)
                {
                    yield return $"{service.Str("name")}: {policy} is not enabled with a retention";
                }
            }
        }
    }

    /// <summary>
    /// The container the app writes timeline anchors to (its <c>AuditStorage__Container</c> setting, on the account of its
    /// <c>AuditStorage__ServiceUri</c>) is deployed with a container-level time-based retention policy: no blob in it can
    /// be changed or deleted for at least a day after it is written, and no block can be appended to a protected blob.
    /// </summary>
    private static IEnumerable<string> AuditContainerIsImmutable(DeploymentTemplate t)
    {
        var name = t.AppSettings.Str("AuditStorage__Container");
        var serviceUri = t.AppSettings.Str("AuditStorage__ServiceUri");
        if (name is null || serviceUri is null)
        {
            yield return "no AuditStorage__Container or AuditStorage__ServiceUri app setting";
            yield break;
        }

        var containers = t.Resources(BlobContainers).Where(c => c.Str("name")!.EndsWith("/default/" + name, StringComparison.Ordinal)).ToList();
        if (containers is not [var container])
        {
            yield return $"the audit container {name} is not deployed once";
            yield break;
        }

        var account = container.Str("id")![..container.Str("id")!.IndexOf("/blobServices/", StringComparison.OrdinalIgnoreCase)];
        if (!References(serviceUri, account, "primaryEndpoints.blob"))
        {
            yield return $"AuditStorage__ServiceUri is not the blob endpoint of the account holding {name}";
        }

        var policy = t.ById(container.Str("id") + "/immutabilityPolicies/default");
        if (policy is null || policy.Str("type") != ImmutabilityPolicies)
        {
            yield return $"{name}: no time-based retention (immutability) policy";
            yield break;
        }

        if (policy.At("properties.immutabilityPeriodSinceCreationInDays")?.GetValue<int>() is not >= 1)
        {
            yield return $"{name}: the retention period is not at least one day";
        }

        foreach (var append in new[] { "allowProtectedAppendWrites", "allowProtectedAppendWritesAll" })
        {
            if (!policy.At($"properties.{append}").Is(false))
            {
                yield return $"{name}: {append} is not false (protected blobs could grow)";
            }
        }
    }

    private static IEnumerable<string> CosmosRefusesKeys(DeploymentTemplate t)
    {
        var accounts = t.Resources(CosmosAccounts).ToList();
        if (accounts.Count == 0)
        {
            yield return "no Cosmos DB account";
        }

        foreach (var account in accounts)
        {
            if (!account.At("properties.disableLocalAuth").Is(true))
            {
                yield return $"{account.Str("name")}: disableLocalAuth is not true";
            }

            if (!account.At("properties.disableKeyBasedMetadataWriteAccess").Is(true))
            {
                yield return $"{account.Str("name")}: disableKeyBasedMetadataWriteAccess is not true";
            }
        }
    }

    private static IEnumerable<string> CosmosHasContinuousBackup(DeploymentTemplate t) =>
        t.Resources(CosmosAccounts)
            .Where(a => a.At("properties.backupPolicy.type").Str() != "Continuous")
            .Select(a => $"{a.Str("name")}: backupPolicy.type is not Continuous");

    private static IEnumerable<string> CosmosContainersMatchLayout(DeploymentTemplate t)
    {
        var database = t.AppSettings.Str("Cosmos__Database");
        var account = t.Resources(CosmosAccounts).SingleOrDefault()?.Str("name");
        if (database is null || account is null)
        {
            yield return "no Cosmos DB account, or no Cosmos__Database app setting";
            yield break;
        }

        var deployed = t.Resources(CosmosContainers).ToDictionary(c => c.Str("name")!, StringComparer.Ordinal);
        foreach (var layout in CosmosLayout.All)
        {
            if (!deployed.Remove($"{account}/{database}/{layout.Name}", out var container))
            {
                yield return $"container {layout.Name} is not deployed in database {database}";
                continue;
            }

            var resource = container.At("properties.resource");
            var paths = resource.At("partitionKey.paths")?.AsArray().Select(p => p.Str()).ToList() ?? [];
            if (paths is not [var path] || path != layout.PartitionKeyPath)
            {
                yield return $"{layout.Name}: partition key is [{string.Join(", ", paths)}], docs/cosmos.md says {layout.PartitionKeyPath}";
            }

            var included = resource.At("indexingPolicy.includedPaths")?.AsArray().Select(p => p.Str("path")).ToList() ?? [];
            if (!included.SequenceEqual(layout.IndexedPaths))
            {
                yield return $"{layout.Name}: indexed paths are [{string.Join(", ", included)}], docs/cosmos.md says [{string.Join(", ", layout.IndexedPaths)}]";
            }

            var excluded = resource.At("indexingPolicy.excludedPaths")?.AsArray().Select(p => p.Str("path")).ToList() ?? [];
            if (!excluded.Contains("/*"))
            {
                yield return $"{layout.Name}: /* is not excluded from indexing";
            }
        }

        foreach (var extra in deployed.Keys)
        {
            yield return $"container {extra} is not in docs/cosmos.md";
        }
    }

    private static IEnumerable<string> AppIsHttpsOnlyWithTls12(DeploymentTemplate t)
    {
        var sites = t.Resources(Sites).ToList();
        if (sites.Count == 0)
        {
            yield return "no function app";
        }

        foreach (var site in sites)
        {
            if (!site.At("properties.httpsOnly").Is(true))
            {
                yield return $"{site.Str("name")}: httpsOnly is not true";
            }

            foreach (var setting in new[] { "minTlsVersion", "scmMinTlsVersion" })
            {
                var value = site.At($"properties.siteConfig.{setting}").Str();
                if (!Version.TryParse(value, out var version) || version < new Version(1, 2))
                {
                    yield return $"{site.Str("name")}: siteConfig.{setting} is {value ?? "not set"}, not at least 1.2";
                }
            }
        }
    }

    private static IEnumerable<string> AppAllowsNoBasicPublishing(DeploymentTemplate t)
    {
        foreach (var site in t.Resources(Sites))
        {
            foreach (var kind in new[] { "ftp", "scm" })
            {
                var policy = t.Resources(PublishingPolicies).FirstOrDefault(p => p.Str("name") == $"{site.Str("name")}/{kind}");
                if (policy is null || !policy.At("properties.allow").Is(false))
                {
                    yield return $"{site.Str("name")}: basic publishing credentials for {kind} are not disallowed";
                }
            }
        }
    }

    /// <summary>The resource id of the function app's one user-assigned identity (null when it has another shape).</summary>
    public static string? AppIdentity(DeploymentTemplate t)
    {
        var site = t.Resources(Sites).SingleOrDefault();
        return site?.At("identity.userAssignedIdentities") is JsonObject identities && identities.Count == 1
            ? identities.Single().Key
            : null;
    }

    private static IEnumerable<string> AppRunsOnFlexWithItsIdentity(DeploymentTemplate t)
    {
        var site = t.Resources(Sites).SingleOrDefault();
        if (site is null)
        {
            yield return "not exactly one function app";
            yield break;
        }

        var plan = t.ById(site.At("properties.serverFarmId").Str() ?? string.Empty);
        if (plan.At("sku.tier").Str() != "FlexConsumption" || plan.At("sku.name").Str() != "FC1")
        {
            yield return "the app's plan is not Flex Consumption (FC1)";
        }

        if (site.At("properties.functionAppConfig.runtime.name").Str() != "dotnet-isolated" || site.At("properties.functionAppConfig.runtime.version").Str() != "10.0")
        {
            yield return "the runtime is not dotnet-isolated 10.0";
        }

        var identity = AppIdentity(t);
        if (site.At("identity.type").Str() != "UserAssigned" || identity is null || t.ById(identity) is null)
        {
            yield return "the app does not have exactly one user-assigned identity of this deployment (and no system-assigned one)";
            yield break;
        }

        if (!string.Equals(site.At("properties.keyVaultReferenceIdentity").Str(), identity, StringComparison.OrdinalIgnoreCase))
        {
            yield return "keyVaultReferenceIdentity is not the app's user-assigned identity";
        }

        var deployment = site.At("properties.functionAppConfig.deployment.storage");
        if (deployment.At("authentication.type").Str() != "UserAssignedIdentity"
            || !string.Equals(deployment.At("authentication.userAssignedIdentityResourceId").Str(), identity, StringComparison.OrdinalIgnoreCase))
        {
            yield return "the deployment package container is not read with the app's user-assigned identity";
        }

        var container = Regex.Match(deployment.Str("value") ?? string.Empty, @"'([a-z0-9-]+)'\)\]$").Groups[1].Value;
        if (!t.Resources(BlobContainers).Any(c => c.Str("name")!.EndsWith("/" + container, StringComparison.Ordinal)))
        {
            yield return $"the deployment package container '{container}' is not deployed";
        }
    }

    private static IEnumerable<string> NoSecretParameterHasADefault(DeploymentTemplate t)
    {
        foreach (var (path, template) in t.CompiledTemplates())
        {
            foreach (var (name, parameter) in template["parameters"]?.AsObject() ?? [])
            {
                var secure = parameter.Str("type")?.ToLowerInvariant() is "securestring" or "secureobject";
                if (secure && parameter!.AsObject().ContainsKey("defaultValue"))
                {
                    yield return $"{path}: secure parameter {name} has a default value";
                }

                if (!secure && LooksLikeASecret().IsMatch(name) && !NotASecretReasons.ContainsKey(name))
                {
                    yield return $"{path}: parameter {name} looks like a secret but is not @secure()";
                }
            }
        }
    }

    /// <summary>Parameters named like a secret that are not one, each with the reason.</summary>
    private static readonly Dictionary<string, string> NotASecretReasons = new(StringComparer.Ordinal)
    {
        ["appInsightsConnectionString"] = "an ingestion address and instrumentation key: it lets nobody read anything",
    };

    /// <summary>A key, password or secret, but not its id, name or address.</summary>
    [GeneratedRegex("(key|password|secret|connectionstring)$", RegexOptions.IgnoreCase)]
    private static partial Regex LooksLikeASecret();

    private static IEnumerable<string> OutputsHoldNoSecrets(DeploymentTemplate t)
    {
        foreach (var (path, template) in t.CompiledTemplates())
        {
            var secureParameters = (template["parameters"]?.AsObject() ?? [])
                .Where(p => p.Value.Str("type")?.ToLowerInvariant() is "securestring" or "secureobject")
                .Select(p => $"parameters('{p.Key}')")
                .ToList();
            foreach (var (name, output) in template["outputs"]?.AsObject() ?? [])
            {
                var text = output?.ToJsonString(Relaxed) ?? string.Empty;
                if (text.Contains("list", StringComparison.OrdinalIgnoreCase) && Regex.IsMatch(text, @"\blist[A-Za-z]*\(")
                    || secureParameters.Any(p => text.Contains(p, StringComparison.Ordinal))
                    || output.Str("type")?.ToLowerInvariant() is "securestring" or "secureobject")
                {
                    yield return $"{path}: output {name} may hold a secret";
                }
            }
        }
    }

    /// <summary>True when <paramref name="expression"/> is the <paramref name="property"/> of a reference to <paramref name="resourceId"/>.</summary>
    public static bool References(string? expression, string resourceId, string property) =>
        expression is not null
        && expression.Contains($"reference('{resourceId}'", StringComparison.OrdinalIgnoreCase)
        && expression.Contains($").{property}", StringComparison.Ordinal);

    private static IEnumerable<(string Scope, string Role, string? Principal)> Assignments(DeploymentTemplate t) =>
        t.Resources(RoleAssignments).Select(a =>
        {
            var id = a.Str("id")!;
            var marker = id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase);
            return (marker < 0 ? string.Empty : id[..marker], a.At("properties.roleDefinitionId").Str()?.Split('/')[^1] ?? string.Empty, a.At("properties.principalId").Str());
        });

    private static IEnumerable<string> AppIdentityHasEveryDataRole(DeploymentTemplate t)
    {
        var identity = AppIdentity(t);
        if (identity is null)
        {
            yield return "the app has no single user-assigned identity";
            yield break;
        }

        var assignments = Assignments(t).Where(a => References(a.Principal, identity, "principalId")).ToList();
        var required = new (string Type, string Role, string Name)[]
        {
            (StorageAccounts, Roles.StorageBlobDataOwner, "Storage Blob Data Owner"),
            (StorageAccounts, Roles.StorageQueueDataContributor, "Storage Queue Data Contributor"),
            (StorageAccounts, Roles.StorageTableDataContributor, "Storage Table Data Contributor"),
            (Vaults, Roles.KeyVaultSecretsUser, "Key Vault Secrets User"),
            (AppInsights, Roles.MonitoringMetricsPublisher, "Monitoring Metrics Publisher"),
        };
        foreach (var (type, role, name) in required)
        {
            foreach (var resource in t.Resources(type))
            {
                if (!assignments.Any(a => string.Equals(a.Scope, resource.Str("id"), StringComparison.OrdinalIgnoreCase) && string.Equals(a.Role, role, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return $"{resource.Str("name")}: the app identity lacks {name}";
                }
            }
        }

        var database = t.AppSettings.Str("Cosmos__Database");
        foreach (var account in t.Resources(CosmosAccounts))
        {
            var id = account.Str("id")!;
            var granted = t.Resources(CosmosRoleAssignments).Any(a =>
                string.Equals(a.At("properties.roleDefinitionId").Str(), $"{id}/sqlRoleDefinitions/{Roles.CosmosDataContributor}", StringComparison.OrdinalIgnoreCase)
                && References(a.At("properties.principalId").Str(), identity, "principalId")
                && a.At("properties.scope").Str() is { } scope
                && (string.Equals(scope, id, StringComparison.OrdinalIgnoreCase) || string.Equals(scope, $"{id}/dbs/{database}", StringComparison.OrdinalIgnoreCase)));
            if (!granted)
            {
                yield return $"{account.Str("name")}: the app identity lacks Cosmos DB Built-in Data Contributor on database {database}";
            }
        }
    }

    private static IEnumerable<string> RolesAreLeastPrivilege(DeploymentTemplate t)
    {
        var resourceGroup = $"/subscriptions/{TestParameters.SubscriptionId}/resourceGroups/{TestParameters.ResourceGroup}";
        foreach (var (scope, role, _) in Assignments(t))
        {
            if (Roles.TooBroad.TryGetValue(role, out var name))
            {
                yield return $"{scope}: {name} is assigned";
            }

            if (!scope.StartsWith(resourceGroup + "/providers/", StringComparison.OrdinalIgnoreCase))
            {
                yield return $"a role assignment is scoped to {scope}, not to one resource";
            }
        }
    }

    private static IEnumerable<string> StorageHasEventGridTopic(DeploymentTemplate t)
    {
        var inbox = t.AppSettings.Str($"{ClaimsConnection}__Container");
        var account = t.Resources(BlobContainers).FirstOrDefault(c => c.Str("name")!.EndsWith($"/default/{inbox}", StringComparison.Ordinal))?.Str("id")?.Split("/blobServices/")[0];
        if (account is null)
        {
            yield return $"the claims inbox container '{inbox}' is not deployed";
            yield break;
        }

        if (!t.Resources(SystemTopics).Any(topic =>
                string.Equals(topic.At("properties.source").Str(), account, StringComparison.OrdinalIgnoreCase)
                && topic.At("properties.topicType").Str() == "Microsoft.Storage.StorageAccounts"))
        {
            yield return $"no Event Grid system topic publishes the events of {account}";
        }
    }

    private static IEnumerable<string> VaultIsLockedDown(DeploymentTemplate t)
    {
        var vaults = t.Resources(Vaults).ToList();
        if (vaults.Count == 0)
        {
            yield return "no key vault";
        }

        foreach (var vault in vaults)
        {
            foreach (var setting in new[] { "enableRbacAuthorization", "enableSoftDelete", "enablePurgeProtection" })
            {
                if (!vault.At($"properties.{setting}").Is(true))
                {
                    yield return $"{vault.Str("name")}: {setting} is not true";
                }
            }
        }
    }

    /// <summary>Resource types that support diagnostic settings: each one deployed must send them to the workspace.</summary>
    public static readonly IReadOnlySet<string> WithDiagnostics = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        StorageAccounts, BlobServices, "Microsoft.Storage/storageAccounts/queueServices", "Microsoft.Storage/storageAccounts/tableServices",
        CosmosAccounts, Vaults, Sites, Plans, SystemTopics, Workspaces,
    };

    /// <summary>Resource types deployed without diagnostic settings of their own, each with the reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> WithoutDiagnostics = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.ManagedIdentity/userAssignedIdentities"] = "has no diagnostic settings; its sign-ins are in the Microsoft Entra ID logs",
        [AppInsights] = "workspace-based: its telemetry is stored in the workspace already",
        [RoleAssignments] = "extension resource; role changes are in the Activity Log",
        [DiagnosticSettings] = "the settings themselves",
        [CosmosRoleAssignments] = "child of the Cosmos DB account, whose settings cover its data-plane requests",
        ["Microsoft.DocumentDB/databaseAccounts/sqlDatabases"] = "child of the Cosmos DB account (covered by its settings)",
        [CosmosContainers] = "child of the Cosmos DB account (covered by its settings)",
        [BlobContainers] = "child of the blob service (covered by its settings)",
        [ImmutabilityPolicies] = "child of a blob container; policy changes are in the Activity Log",
        [Secrets] = "child of the key vault (covered by its audit events)",
        ["Microsoft.Web/sites/config"] = "child of the function app (covered by its settings)",
        [PublishingPolicies] = "child of the function app (covered by its settings)",
    };

    private static IEnumerable<string> DiagnosticsReachTheWorkspace(DeploymentTemplate t)
    {
        var workspace = t.Resources(Workspaces).SingleOrDefault()?.Str("id");
        if (workspace is null)
        {
            yield return "not exactly one Log Analytics workspace";
            yield break;
        }

        foreach (var resource in t.PredictedResources.Select(r => r!.AsObject()).Where(r => WithDiagnostics.Contains(r.Str("type")!)))
        {
            var prefix = resource.Str("id") + "/providers/Microsoft.Insights/diagnosticSettings/";
            var settings = t.Resources(DiagnosticSettings).Where(d => d.Str("id")!.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList();
            if (!settings.Any(d => string.Equals(d.At("properties.workspaceId").Str(), workspace, StringComparison.OrdinalIgnoreCase)
                    && (d.At("properties.logs")?.AsArray().Any(l => l.At("enabled").Is(true)) == true
                        || d.At("properties.metrics")?.AsArray().Any(m => m.At("enabled").Is(true)) == true)))
            {
                yield return $"{resource.Str("type")} {resource.Str("name")}: no diagnostic setting sends its logs or metrics to the workspace";
            }
        }
    }

    /// <summary>A setting holding a secret (by what it is, not by its value).</summary>
    public static bool IsSecretSetting(string key) =>
        key.StartsWith("Mets__ProviderLinks__Keys__", StringComparison.OrdinalIgnoreCase)
        || (!string.Equals(key, "APPLICATIONINSIGHTS_CONNECTION_STRING", StringComparison.OrdinalIgnoreCase)
            && Regex.IsMatch(key, "(ApiKey|__Key|Password|Secret|ConnectionString|CONNECTION_STRING)$", RegexOptions.IgnoreCase));

    private static IEnumerable<string> SecretsAreKeyVaultReferences(DeploymentTemplate t)
    {
        var vaults = t.Resources(Vaults).Select(v => v.Str("name")!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var secrets = t.Resources(Secrets).Select(s => s.Str("name")!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var settings = t.AppSettings;
        var activeKeyId = settings.Str("Mets__ProviderLinks__ActiveKeyId");
        var secretSettings = settings.Where(s => IsSecretSetting(s.Key)).ToList();
        if (!secretSettings.Any(s => s.Key == "SendGrid__ApiKey") || !secretSettings.Any(s => s.Key == $"Mets__ProviderLinks__Keys__{activeKeyId}"))
        {
            yield return "the SendGrid API key or the active provider-link key is not an app setting";
        }

        foreach (var (key, node) in secretSettings)
        {
            var match = Regex.Match(node.Str() ?? string.Empty, @"^@Microsoft\.KeyVault\(VaultName=([^;]+);SecretName=([^;)]+)\)$");
            if (!match.Success)
            {
                yield return $"{key} is not a Key Vault reference";
                continue;
            }

            var (vault, secret) = (match.Groups[1].Value, match.Groups[2].Value);
            // A retired provider-link key's secret was created by an earlier deployment (it verifies links until they expire).
            const string ProviderKeyPrefix = "Mets__ProviderLinks__Keys__";
            var retiredProviderKey = key.StartsWith(ProviderKeyPrefix, StringComparison.OrdinalIgnoreCase) && key[ProviderKeyPrefix.Length..] != activeKeyId;
            if (!vaults.Contains(vault) || (!secrets.Contains($"{vault}/{secret}") && !retiredProviderKey))
            {
                yield return $"{key} references {vault}/{secret}, which this deployment does not create";
            }
        }

        foreach (var (key, node) in settings)
        {
            if (Regex.IsMatch(node?.ToJsonString(Relaxed) ?? string.Empty, "AccountKey=|SharedAccessKey=|SharedAccessSignature=|sig=", RegexOptions.IgnoreCase))
            {
                yield return $"{key} holds a shared key or signature";
            }
        }
    }

    private static IEnumerable<string> ConnectionsUseTheIdentity(DeploymentTemplate t)
    {
        var identity = AppIdentity(t);
        var storage = t.Resources(StorageAccounts).SingleOrDefault()?.Str("id");
        var cosmos = t.Resources(CosmosAccounts).SingleOrDefault()?.Str("id");
        if (identity is null || storage is null || cosmos is null)
        {
            yield return "not exactly one app identity, storage account and Cosmos DB account";
            yield break;
        }

        var settings = t.AppSettings;
        var connections = new (string Name, string[] Services)[]
        {
            ("AzureWebJobsStorage", ["blob", "queue", "table"]),
            (DurableConnection(), ["blob", "queue", "table"]),
            (ClaimsConnection, ["blob", "queue"]),
        };
        foreach (var (name, services) in connections)
        {
            if (settings.ContainsKey(name))
            {
                yield return $"{name} is set as a connection string";
            }

            if (settings.Str($"{name}__credential") != "managedidentity")
            {
                yield return $"{name}__credential is not managedidentity";
            }

            if (!References(settings.Str($"{name}__clientId"), identity, "clientId"))
            {
                yield return $"{name}__clientId is not the app identity's client id";
            }

            foreach (var service in services)
            {
                if (!References(settings.Str($"{name}__{service}ServiceUri"), storage, $"primaryEndpoints.{service}"))
                {
                    yield return $"{name}__{service}ServiceUri is not the storage account's {service} endpoint";
                }
            }
        }

        if (!References(settings.Str("AuditStorage__ClientId"), identity, "clientId"))
        {
            yield return "AuditStorage__ClientId is not the app identity's client id";
        }

        if (!References(settings.Str("Cosmos__ManagedIdentityClientId"), identity, "clientId"))
        {
            yield return "Cosmos__ManagedIdentityClientId is not the app identity's client id";
        }

        if (!References(settings.Str("Cosmos__Endpoint"), cosmos, "documentEndpoint"))
        {
            yield return "Cosmos__Endpoint is not the Cosmos DB account's endpoint";
        }

        if (settings.ContainsKey("Cosmos__Key") || settings.ContainsKey($"{ClaimsConnection}__ConnectionString"))
        {
            yield return "a key or connection string is set for Cosmos DB or the claims storage";
        }

        var telemetry = settings.Str("APPLICATIONINSIGHTS_AUTHENTICATION_STRING");
        if (telemetry is null || !telemetry.Contains("Authorization=AAD", StringComparison.Ordinal) || !References(telemetry, identity, "clientId"))
        {
            yield return "APPLICATIONINSIGHTS_AUTHENTICATION_STRING does not authenticate the host's telemetry with the app identity";
        }

        foreach (var component in t.Resources(AppInsights).Where(c => !c.At("properties.DisableLocalAuth").Is(true)))
        {
            yield return $"{component.Str("name")}: Application Insights accepts telemetry sent with the instrumentation key alone (DisableLocalAuth is not true)";
        }
    }
}
