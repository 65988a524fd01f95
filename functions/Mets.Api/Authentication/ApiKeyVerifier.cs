using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Mets.Api.Authentication;

/// <summary>What a presented key turned out to be.</summary>
public enum KeyKind
{
    None,
    User,
    Admin,
}

/// <summary>
/// Checks a presented key against the configured ones in constant time: every key is hashed to a
/// fixed length (SHA-256) and compared with <see cref="CryptographicOperations.FixedTimeEquals"/>
/// against every configured key, with no early exit, so neither the length nor the position of a
/// match leaks through timing.
/// </summary>
public sealed class ApiKeyVerifier(IOptionsMonitor<ApiAccessOptions> options)
{
    private KeyTable? _table;

    public (KeyKind Kind, string? UserName) Verify(string? presentedKey)
    {
        if (string.IsNullOrEmpty(presentedKey))
        {
            return (KeyKind.None, null);
        }

        var table = CurrentTable();
        var presented = Hash(presentedKey);
        var kind = KeyKind.None;
        string? user = null;
        foreach (var (hash, userName) in table.Users)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, presented))
            {
                kind = KeyKind.User;
                user = userName;
            }
        }

        if (CryptographicOperations.FixedTimeEquals(table.Admin, presented) && table.HasAdmin)
        {
            kind = KeyKind.Admin;
            user = FunctionsKeyDefaults.AdminRole;
        }

        return (kind, user);
    }

    private KeyTable CurrentTable()
    {
        var current = options.CurrentValue;
        var table = _table;
        if (table is null || !ReferenceEquals(table.Source, current))
        {
            table = new KeyTable(
                current,
                current.ApiKeys.Where(k => !string.IsNullOrEmpty(k.Key)).Select(k => (Hash(k.Key), k.User)).ToArray(),
                Hash(current.AdminKey ?? string.Empty),
                !string.IsNullOrEmpty(current.AdminKey));
            _table = table;
        }

        return table;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private sealed record KeyTable(ApiAccessOptions Source, (byte[] Hash, string User)[] Users, byte[] Admin, bool HasAdmin);
}
