using System.Globalization;

namespace Mets.Domain.Diagnoses;

/// <summary>
/// One ICD-10-CM release: the codes valid from <see cref="EffectiveFrom"/> (CMS publishes one release per
/// fiscal year, effective October 1, and occasionally an April 1 update). Read from the files CMS publishes
/// with each release, in either layout (told apart line by line):
/// <list type="bullet">
/// <item><b>Order file</b> (<c>icd10cm_order_YYYY.txt</c>), fixed width: order number (5 digits), a space, the
/// code without its decimal point left-justified in 7 columns, a space, the flag <c>1</c> (valid for claims)
/// or <c>0</c> (a header: a category or subcategory that has codes below it, not valid on a claim), a space,
/// then the short and long descriptions.</item>
/// <item><b>Code file</b> (<c>icd10cm_codes_YYYY.txt</c>): the code without its decimal point, white space, the
/// description. Every code listed is valid for claims.</item>
/// </list>
/// Blank lines are skipped; any other line that is neither is an error naming its line number. Descriptions
/// are not kept.
/// </summary>
public sealed class Icd10CmCodeSet
{
    private readonly HashSet<string> _valid;
    private readonly HashSet<string> _headers;

    private Icd10CmCodeSet(DateOnly effectiveFrom, HashSet<string> valid, HashSet<string> headers)
    {
        EffectiveFrom = effectiveFrom;
        _valid = valid;
        _headers = headers;
    }

    /// <summary>The first date of service the release applies to.</summary>
    public DateOnly EffectiveFrom { get; }

    /// <summary>Codes valid on a claim.</summary>
    public int Count => _valid.Count;

    /// <summary>True when <paramref name="compactCode"/> (upper case, no decimal point) is valid on a claim in this release.</summary>
    public bool Contains(string compactCode) => _valid.Contains(compactCode);

    /// <summary>True when the code is a header in this release (an order file's flag 0): it has more specific codes below it.</summary>
    public bool IsHeader(string compactCode) => _headers.Contains(compactCode);

    /// <summary>A release from codes already in hand (tests, other sources).</summary>
    public static Icd10CmCodeSet From(DateOnly effectiveFrom, IEnumerable<string> validCodes, IEnumerable<string>? headers = null) =>
        new(effectiveFrom, new HashSet<string>(validCodes, StringComparer.Ordinal), new HashSet<string>(headers ?? [], StringComparer.Ordinal));

    /// <summary>Reads an order file or a code file (see the class summary). Throws <see cref="FormatException"/>
    /// naming the line of the first line that is neither.</summary>
    public static Icd10CmCodeSet Load(TextReader reader, DateOnly effectiveFrom)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var headers = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (TryReadOrderLine(line, out var code, out var isValid))
            {
                (isValid ? valid : headers).Add(code);
            }
            else if (TryReadCodeLine(line, out code))
            {
                valid.Add(code);
            }
            else
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"Line {number} is neither an ICD-10-CM order-file line (order number, code, flag 0/1, descriptions) nor a code-file line (code, description), or its code does not have the ICD-10-CM structure."));
            }
        }

        if (valid.Count == 0)
        {
            throw new FormatException("The file lists no ICD-10-CM code valid for claims.");
        }

        return new Icd10CmCodeSet(effectiveFrom, valid, headers);
    }

    private static bool TryReadOrderLine(string line, out string code, out bool isValid)
    {
        code = string.Empty;
        isValid = false;
        if (line.Length < 16 || line[5] != ' ' || line[13] != ' ' || line[15] != ' ' || line[14] is not ('0' or '1'))
        {
            return false;
        }

        for (var i = 0; i < 5; i++)
        {
            if (!char.IsAsciiDigit(line[i]))
            {
                return false;
            }
        }

        if (!Icd10Cm.TryNormalize(line.AsSpan(6, 7), IcdCodeNotation.WithoutDecimalPoint, out var normalized, out _))
        {
            return false;
        }

        code = normalized;
        isValid = line[14] == '1';
        return true;
    }

    private static bool TryReadCodeLine(string line, out string code)
    {
        code = string.Empty;
        var text = line.AsSpan().TrimStart();
        var end = text.IndexOfAny(' ', '\t');
        var token = end < 0 ? text : text[..end];
        if (token.Length > 7 || !Icd10Cm.TryNormalize(token, IcdCodeNotation.WithoutDecimalPoint, out var normalized, out _))
        {
            return false;
        }

        code = normalized;
        return true;
    }
}
