using System.Globalization;

namespace Mets.Claims.Reading;

/// <summary>Shape checks and normalization for the codes found on claims. Every method works on the
/// raw text and never puts it in an error message.</summary>
internal static class ClaimCodes
{
    /// <summary>Parses yyyy-MM-dd or yyyyMMdd (the only date forms the files use).</summary>
    public static bool TryParseDate(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        text = text.Trim();
        int year, month, day;
        if (text.Length == 10 && text[4] == '-' && text[7] == '-')
        {
            if (!TryDigits(text[..4], out year) || !TryDigits(text.Slice(5, 2), out month) || !TryDigits(text.Slice(8, 2), out day))
            {
                return false;
            }
        }
        else if (text.Length == 8)
        {
            if (!TryDigits(text[..4], out year) || !TryDigits(text.Slice(4, 2), out month) || !TryDigits(text.Slice(6, 2), out day))
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    public static bool TryParseAmount(ReadOnlySpan<char> text, out decimal amount) =>
        decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out amount);

    /// <summary>
    /// The date whose ICD-10-CM release applies to a claim's diagnoses (CMS: the discharge or "through"
    /// date of an inpatient stay, the first date of service otherwise): an institutional claim with an
    /// inpatient bill type (11x) uses its discharge date or its last service date; any other claim its first
    /// service date.
    /// </summary>
    public static DateOnly CodeSetDate(ClaimType type, string? billType, IReadOnlyList<ClaimLine> lines, DateOnly? discharge)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (type == ClaimType.Institutional && billType is not null && billType.StartsWith("11", StringComparison.Ordinal))
        {
            return discharge ?? lines.Max(l => l.ServiceTo);
        }

        return lines.Min(l => l.ServiceFrom);
    }

    /// <summary>ICD-9-CM shape (older X12 files): 3 to 5 digits, or V plus 2 to 4 digits, or E plus 3 to 4
    /// digits, without the dot.</summary>
    public static bool TryNormalizeIcd9(ReadOnlySpan<char> text, out string code)
    {
        code = string.Empty;
        text = text.Trim();
        Span<char> buffer = stackalloc char[6];
        var length = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                continue;
            }

            if (!char.IsAsciiLetterOrDigit(c) || length == 5)
            {
                return false;
            }

            buffer[length++] = char.ToUpperInvariant(c);
        }

        if (length < 3)
        {
            return false;
        }

        var first = buffer[0];
        if (!(char.IsAsciiDigit(first) || first is 'V' or 'E'))
        {
            return false;
        }

        for (var i = 1; i < length; i++)
        {
            if (!char.IsAsciiDigit(buffer[i]))
            {
                return false;
            }
        }

        code = new string(buffer[..length]);
        return true;
    }

    /// <summary>CMS place of service: two digits.</summary>
    public static bool TryNormalizePlaceOfService(ReadOnlySpan<char> text, out string code)
    {
        text = text.Trim();
        code = string.Empty;
        if (text.Length is < 1 or > 2 || !IsDigits(text))
        {
            return false;
        }

        code = text.Length == 1 ? "0" + text.ToString() : text.ToString();
        return true;
    }

    /// <summary>NUBC revenue code: four digits (three are padded with a leading zero).</summary>
    public static bool TryNormalizeRevenueCode(ReadOnlySpan<char> text, out string code)
    {
        text = text.Trim();
        code = string.Empty;
        if (text.Length is < 3 or > 4 || !IsDigits(text))
        {
            return false;
        }

        code = text.Length == 3 ? "0" + text.ToString() : text.ToString();
        return true;
    }

    /// <summary>UB-04 type of bill: three digits (a leading zero of the four-digit form is dropped).</summary>
    public static bool TryNormalizeBillType(ReadOnlySpan<char> text, out string code)
    {
        text = text.Trim();
        code = string.Empty;
        if (text.Length == 4 && text[0] == '0')
        {
            text = text[1..];
        }

        if (text.Length != 3 || !IsDigits(text))
        {
            return false;
        }

        code = text.ToString();
        return true;
    }

    /// <summary>CPT (five digits, or four digits and a letter for category II/III) or HCPCS level II (a
    /// letter and four digits).</summary>
    public static bool TryNormalizeProcedure(ReadOnlySpan<char> text, out string code)
    {
        text = text.Trim();
        code = string.Empty;
        if (text.Length != 5)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        code = text.ToString().ToUpperInvariant();
        return true;
    }

    /// <summary>Procedure modifiers: up to four two-character codes separated by ':', ';', ',' or spaces.</summary>
    public static bool TryParseModifiers(ReadOnlySpan<char> text, out IReadOnlyList<string> modifiers)
    {
        modifiers = [];
        text = text.Trim();
        if (text.IsEmpty)
        {
            return true;
        }

        var list = new List<string>(2);
        foreach (var range in text.SplitAny(":;, "))
        {
            var part = text[range];
            if (part.IsEmpty)
            {
                continue;
            }

            if (part.Length != 2 || !char.IsAsciiLetterOrDigit(part[0]) || !char.IsAsciiLetterOrDigit(part[1]) || list.Count == 4)
            {
                return false;
            }

            list.Add(part.ToString().ToUpperInvariant());
        }

        modifiers = list;
        return true;
    }

    /// <summary>NDC in the 11-digit 5-4-2 form. Dashed 10-digit forms (4-4-2, 5-3-2, 5-4-1) are padded.</summary>
    public static bool TryNormalizeNdc(ReadOnlySpan<char> text, out string code)
    {
        text = text.Trim();
        code = string.Empty;
        if (text.Length == 11 && IsDigits(text))
        {
            code = text.ToString();
            return true;
        }

        Span<Range> parts = stackalloc Range[4];
        if (text.Split(parts, '-') != 3)
        {
            return false;
        }

        var a = text[parts[0]];
        var b = text[parts[1]];
        var c = text[parts[2]];
        if (!IsDigits(a) || !IsDigits(b) || !IsDigits(c) || a.Length is < 4 or > 5 || b.Length is < 3 or > 4 || c.Length is < 1 or > 2)
        {
            return false;
        }

        if (a.Length + b.Length + c.Length < 10)
        {
            return false;
        }

        code = a.ToString().PadLeft(5, '0') + b.ToString().PadLeft(4, '0') + c.ToString().PadLeft(2, '0');
        return true;
    }

    /// <summary>NUCC health care provider taxonomy code: nine letters or digits followed by X.</summary>
    public static bool IsTaxonomy(ReadOnlySpan<char> text)
    {
        if (text.Length != 10 || char.ToUpperInvariant(text[9]) != 'X')
        {
            return false;
        }

        foreach (var c in text[..9])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Identifiers (claim and member ids): 1 to 50 printable characters.</summary>
    public static bool IsIdentifier(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > 50)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
