using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Mets.Workflow.Links;

/// <summary>
/// The envelope every link token this system issues shares: <c>base64url(payload).base64url(HMAC-SHA256(payload))</c>
/// with the payload <c>version|keyId|field|field...</c>, signed with the provider links' keys
/// (<see cref="ProviderLinkOptions.Keys"/>, the active one for new tokens). The version tag keeps the kinds of link
/// apart. Each signer gives and reads its own fields; this class only seals and opens.
/// </summary>
internal static class SignedToken
{
    /// <summary>Longest token accepted (anything longer is refused before decoding).</summary>
    private const int MaxLength = 1024;

    /// <summary>A token for <paramref name="fields"/> under <paramref name="version"/>, signed with the active key.</summary>
    public static string Create(ProviderLinkOptions keys, string version, params string[] fields)
    {
        var keyId = keys.ActiveKeyId;
        var payload = Encoding.UTF8.GetBytes(string.Join('|', [version, keyId, .. fields]));
        var signature = HMACSHA256.HashData(KeyOf(keys, keyId)!, payload);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// The key id and the fields of a token of <paramref name="version"/> whose signature verifies with a configured
    /// key, or false for anything else (bad shape, not canonical base64url, invalid UTF-8, another version, unknown
    /// key, bad signature).
    /// </summary>
    public static bool TryOpen(ProviderLinkOptions keys, string? token, string version, out string keyId, out string[] fields)
    {
        keyId = string.Empty;
        fields = [];
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || FromBase64Url(token[..dot]) is not { } payload || FromBase64Url(token[(dot + 1)..]) is not { } signature)
        {
            return false;
        }

        string[] parts;
        try
        {
            parts = new UTF8Encoding(false, true).GetString(payload).Split('|');
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        if (parts.Length < 2 || parts[0] != version || KeyOf(keys, parts[1]) is not { } key
            || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), signature))
        {
            return false;
        }

        keyId = parts[1];
        fields = parts[2..];
        return true;
    }

    /// <summary>The secret of a configured key id, or null.</summary>
    private static byte[]? KeyOf(ProviderLinkOptions keys, string keyId) =>
        keys.Keys.TryGetValue(keyId, out var secret) ? ProviderLinkOptions.DecodeKey(secret) : null;

    /// <summary>The bytes of a canonical base64url text (RFC 4648 section 5, no padding), or null.</summary>
    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length == 0 || !Base64Url.IsValid(text))
        {
            return null; // (the decoder throws on what is not base64url at all)
        }

        // Only the canonical spelling is accepted (no padding, no white space, the unused low bits of the last
        // character zero), so no two different tokens carry the same bytes.
        var bytes = Base64Url.DecodeFromChars(text);
        return string.Equals(Base64Url.EncodeToString(bytes), text, StringComparison.Ordinal) ? bytes : null;
    }
}
