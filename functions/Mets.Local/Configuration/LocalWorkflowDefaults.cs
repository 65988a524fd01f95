using System.Globalization;
using Mets.Claims.Ingestion;
using Mets.Local.Data;
using Mets.Local.Keys;
using Mets.Workflow;
using Mets.Workflow.Links;
using Microsoft.Extensions.Options;

namespace Mets.Local.Configuration;

/// <summary>
/// Fills in what the local host can decide itself when the configuration leaves it out: the workflow's
/// and the claims store's files go into the data folder, provider links point at this host
/// (<c>{first Urls entry}/api/provider-responses</c>) and are signed with a key generated on first run
/// in <c>keys/links.key</c>. A configured value always wins.
/// </summary>
public sealed class LocalWorkflowDefaults(LocalDataFolder dataFolder, IConfiguration configuration)
    : IPostConfigureOptions<WorkflowOptions>, IPostConfigureOptions<ClaimsStoreOptions>, IPostConfigureOptions<ProviderLinkOptions>
{
    public const string GeneratedLinkKeyId = "local";

    public void PostConfigure(string? name, WorkflowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DataFolder))
        {
            options.DataFolder = dataFolder.Root;
        }
    }

    public void PostConfigure(string? name, ClaimsStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            options.DatabasePath = dataFolder.ClaimsDatabasePath;
        }
    }

    public void PostConfigure(string? name, ProviderLinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            options.BaseUrl = ProviderPageBase(configuration["urls"]);
        }

        if (options.Keys.Count == 0 && string.IsNullOrEmpty(options.ActiveKeyId))
        {
            dataFolder.EnsureCreated();
            options.Keys[GeneratedLinkKeyId] = LocalKeyFiles.ReadOrCreate(dataFolder.LinkKeyFile, base64: true).Key;
            options.ActiveKeyId = GeneratedLinkKeyId;
        }
    }

    /// <summary>The provider page URL under the first address the host listens on (a wildcard host becomes localhost).</summary>
    internal static string ProviderPageBase(string? urls)
    {
        var first = (urls ?? "http://127.0.0.1:5080").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? "http://127.0.0.1:5080";
        var wildcard = first.Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"{wildcard.TrimEnd('/')}/api/provider-responses");
    }
}
