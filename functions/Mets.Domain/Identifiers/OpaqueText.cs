namespace Mets.Domain.Identifiers;

/// <summary>Shared shape checks for opaque identifiers. Reasons never contain the checked text.</summary>
internal static class OpaqueText
{
    /// <summary>Checks length and that every character is an ASCII letter, digit or one of <paramref name="extra"/>.</summary>
    public static bool IsValid(string? value, int maxLength, string extra, string what, out string reason)
    {
        if (string.IsNullOrEmpty(value))
        {
            reason = $"{what} is required";
            return false;
        }

        if (value.Length > maxLength)
        {
            reason = $"{what} is at most {maxLength} characters";
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !extra.Contains(c, StringComparison.Ordinal))
            {
                reason = extra.Length == 0
                    ? $"{what} may contain only ASCII letters and digits"
                    : $"{what} may contain only ASCII letters, digits and {string.Join(' ', extra.ToCharArray())}";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }
}
