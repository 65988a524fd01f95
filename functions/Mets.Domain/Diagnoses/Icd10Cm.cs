using System.Diagnostics.CodeAnalysis;

namespace Mets.Domain.Diagnoses;

/// <summary>How a diagnosis code is written where it comes from.</summary>
public enum IcdCodeNotation
{
    /// <summary>With or without the decimal point after the three-character category (referrals, FHIR,
    /// the METS claims CSV): <c>F32.9</c> or <c>F329</c>.</summary>
    DecimalPointOptional,

    /// <summary>As X12 carries it: never a decimal point (the 005010 claim guides send <c>F329</c>), so a
    /// point is an error.</summary>
    WithoutDecimalPoint,
}

/// <summary>
/// The structural rules of an ICD-10-CM diagnosis code, the one place they live (referrals through
/// <see cref="Identifiers.IcdCode"/>, claims through <see cref="Icd10CmValidator"/>):
/// <list type="bullet">
/// <item>3 to 7 characters without the decimal point; in <see cref="IcdCodeNotation.DecimalPointOptional"/>
/// a point may follow the third character when 1 to 4 characters follow it; in X12 notation a point is an error.</item>
/// <item>First character a letter (every letter A-Z, U included: U07.1, U09.9); second a digit.</item>
/// <item>Third character a digit, or a letter only where the current release has one: the categories
/// <see cref="LetterCategories"/> (C4A, C7A, C7B, D3A, M1A, O9A, Z3A). So <c>F3X9</c> is refused.</item>
/// <item>Characters 4 to 7 letters or digits (the release has letters in each of these positions).</item>
/// <item>The placeholder <c>X</c> in positions 4 to 6 only holds a place before a seventh character, so a
/// code with an X there has exactly 7 characters (<c>T40.1X1A</c>, <c>T07.XXXA</c>); the seventh
/// character itself is never X.</item>
/// </list>
/// Letters are read case-insensitively and returned upper case. Membership in a release (a real code
/// rather than a well-formed one) is <see cref="Icd10CmCodeSet"/>'s job. Reasons never repeat the value.
/// </summary>
public static class Icd10Cm
{
    /// <summary>The categories whose third character is a letter in the current ICD-10-CM release.</summary>
    public static IReadOnlyList<string> LetterCategories { get; } = ["C4A", "C7A", "C7B", "D3A", "M1A", "O9A", "Z3A"];

    private const string Placeholder = "X";

    /// <summary>Checks the structure and returns the code upper case without the decimal point
    /// (<c>f32.a</c> -> <c>F32A</c>), or false with a reason that does not repeat the value.</summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, IcdCodeNotation notation, [NotNullWhen(true)] out string? code, out string reason)
    {
        code = null;
        text = text.Trim();
        if (text.IsEmpty)
        {
            reason = "a diagnosis code is required";
            return false;
        }

        Span<char> buffer = stackalloc char[7];
        var length = 0;
        var dotAt = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (notation == IcdCodeNotation.WithoutDecimalPoint)
                {
                    reason = "X12 carries ICD-10-CM codes without the decimal point";
                    return false;
                }

                if (dotAt >= 0 || length != 3)
                {
                    reason = "the decimal point may only follow the three-character category";
                    return false;
                }

                dotAt = i;
                continue;
            }

            if (!char.IsAsciiLetterOrDigit(c))
            {
                reason = notation == IcdCodeNotation.WithoutDecimalPoint
                    ? "only letters and digits are allowed"
                    : "only letters, digits and a decimal point after the third character are allowed";
                return false;
            }

            if (length == 7)
            {
                reason = "an ICD-10-CM code has at most 7 characters (without the decimal point)";
                return false;
            }

            buffer[length++] = char.ToUpperInvariant(c);
        }

        if (length < 3)
        {
            reason = "an ICD-10-CM code has at least 3 characters";
            return false;
        }

        if (dotAt >= 0 && length == 3)
        {
            reason = "the decimal point must be followed by 1 to 4 characters";
            return false;
        }

        var compact = buffer[..length];
        if (!char.IsAsciiLetter(compact[0]))
        {
            reason = "the first character is a letter";
            return false;
        }

        if (!char.IsAsciiDigit(compact[1]))
        {
            reason = "the second character is a digit";
            return false;
        }

        if (!char.IsAsciiDigit(compact[2]) && !IsLetterCategory(compact[..3]))
        {
            reason = "the third character is a digit, or a letter only in the categories " + string.Join(", ", LetterCategories);
            return false;
        }

        var placeholder = compact[3..Math.Min(length, 6)].IndexOfAny(Placeholder) >= 0;
        if (placeholder && length != 7)
        {
            reason = "the placeholder X stands only in a seven-character code, before its seventh character";
            return false;
        }

        if (length == 7 && compact[6] == 'X')
        {
            reason = "the seventh character is never the placeholder X";
            return false;
        }

        code = new string(compact);
        reason = string.Empty;
        return true;
    }

    /// <summary>The code with its decimal point after the category (<c>F329</c> -> <c>F32.9</c>); a
    /// three-character code is returned as is.</summary>
    public static string WithDecimalPoint(string compactCode)
    {
        ArgumentNullException.ThrowIfNull(compactCode);
        return compactCode.Length <= 3 ? compactCode : string.Concat(compactCode.AsSpan(0, 3), ".", compactCode.AsSpan(3));
    }

    private static bool IsLetterCategory(ReadOnlySpan<char> category)
    {
        foreach (var known in LetterCategories)
        {
            if (category.SequenceEqual(known))
            {
                return true;
            }
        }

        return false;
    }
}
