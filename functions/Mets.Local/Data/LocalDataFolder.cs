using Microsoft.Extensions.Options;

using Mets.Local.Startup;

namespace Mets.Local.Data;

/// <summary>
/// The data folder's layout (<c>Mets:DataFolder</c>, default <c>./data</c> under the working directory):
/// <code>
/// mets-cases.db        SQLite case store (engagement case documents, referrals)
/// mets-durable-journal.db  SQLite journal of the embedded durable engine (its state, replayed at start)
/// mets-claims.db       SQLite claims store (claims, eligibility, member months, care gaps, file status)
/// claims/inbox/        drop claims files here (also those present at start)
/// claims/processed/    files applied
/// claims/quarantine/   files refused whole, with their reject report
/// outbox/              emails written as .eml
/// audit/timeline-anchors.log  the timeline anchors, appended only (docs/reliability.md)
/// keys/api.key         the API key generated on first run (unless Mets:ApiKeys is configured)
/// keys/admin.key       the admin key for /runtime/webhooks/durabletask (unless Mets:AdminKey is configured)
/// keys/links.key       the provider-link signing key (unless Mets:ProviderLinks:Keys is configured)
/// </code>
/// </summary>
public sealed class LocalDataFolder
{
    public LocalDataFolder(IOptions<LocalHostOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Root = Path.GetFullPath(options.Value.DataFolder, Directory.GetCurrentDirectory());
    }

    public string Root { get; }

    public string ClaimsDatabasePath => Path.Combine(Root, "mets-claims.db");

    public string ClaimsInbox => Path.Combine(Root, "claims", "inbox");

    public string ClaimsProcessed => Path.Combine(Root, "claims", "processed");

    public string ClaimsQuarantine => Path.Combine(Root, "claims", "quarantine");

    public string EmailOutbox => Path.Combine(Root, "outbox");

    public string KeysFolder => Path.Combine(Root, "keys");

    public string ApiKeyFile => Path.Combine(KeysFolder, "api.key");

    public string AdminKeyFile => Path.Combine(KeysFolder, "admin.key");

    public string LinkKeyFile => Path.Combine(KeysFolder, "links.key");

    /// <summary>Creates every folder of the layout; idempotent. Fails with a message naming the setting.</summary>
    public void EnsureCreated()
    {
        try
        {
            foreach (var folder in new[] { Root, ClaimsInbox, ClaimsProcessed, ClaimsQuarantine, EmailOutbox })
            {
                Directory.CreateDirectory(folder);
            }

            if (!Directory.Exists(KeysFolder))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(KeysFolder);
                }
                else
                {
                    Directory.CreateDirectory(KeysFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new LocalStartupException(
                $"Mets:DataFolder '{Root}' cannot be used: {exception.GetType().Name}. Point Mets:DataFolder at a folder this user can write.",
                exception);
        }
    }
}
