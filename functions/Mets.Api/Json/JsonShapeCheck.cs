using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Mets.Api.Problems;

namespace Mets.Api.Json;

/// <summary>
/// Walks a parsed body against the target type's serializer metadata before deserializing, so one
/// answer lists every unknown field, missing required field, null where a value is needed and value
/// of the wrong JSON kind, each under its JSON path. Messages never repeat a submitted value.
/// </summary>
internal static partial class JsonShapeCheck
{
    public static void Check(JsonElement element, JsonTypeInfo info, string path, FieldErrors errors)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type == typeof(JsonElement) || type == typeof(object) || type == typeof(JsonDocument))
        {
            return;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                CheckObject(element, info, path, errors);
                break;
            case JsonTypeInfoKind.Enumerable:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    errors.Add(path, "must be a JSON array.");
                    return;
                }

                var elementInfo = info.Options.GetTypeInfo(info.ElementType!);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var itemPath = $"{path}[{index++}]";
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        if (info.ElementType!.IsValueType && Nullable.GetUnderlyingType(info.ElementType) is null)
                        {
                            errors.Add(itemPath, "must not be null.");
                        }

                        continue;
                    }

                    Check(item, elementInfo, itemPath, errors);
                }

                break;
            case JsonTypeInfoKind.Dictionary:
                if (element.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(path, "must be a JSON object.");
                    return;
                }

                var valueInfo = info.Options.GetTypeInfo(info.ElementType!);
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        Check(property.Value, valueInfo, ChildPath(path, property.Name), errors);
                    }
                }

                break;
            default:
                var expected = ExpectedKind(type);
                if (expected is not null && !expected.Value.Matches(element.ValueKind))
                {
                    errors.Add(path, $"must be {expected.Value.Describe()}.");
                }

                break;
        }
    }

    private static void CheckObject(JsonElement element, JsonTypeInfo info, string path, FieldErrors errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be a JSON object.");
            return;
        }

        var comparer = info.Options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var known = new Dictionary<string, JsonPropertyInfo>(comparer);
        foreach (var property in info.Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null))
        {
            known.TryAdd(property.Name, property);
        }

        var seen = new HashSet<string>(comparer);
        foreach (var field in element.EnumerateObject())
        {
            if (!known.TryGetValue(field.Name, out var property))
            {
                if (PlainName().IsMatch(field.Name))
                {
                    errors.Add(ChildPath(path, field.Name), "is not a known field.");
                }
                else
                {
                    errors.Add(path, "holds a field whose name is not a known field.");
                }

                continue;
            }

            seen.Add(property.Name);
            var childPath = ChildPath(path, property.Name);
            if (field.Value.ValueKind == JsonValueKind.Null)
            {
                if (!IsNullable(property))
                {
                    errors.Add(childPath, "must not be null.");
                }

                continue;
            }

            Check(field.Value, info.Options.GetTypeInfo(property.PropertyType), childPath, errors);
        }

        foreach (var property in known.Values.Where(IsRequired).Where(p => !seen.Contains(p.Name)))
        {
            errors.Add(ChildPath(path, property.Name), "is required.");
        }
    }

    private static bool IsRequired(JsonPropertyInfo property) =>
        property.IsRequired
        || (property.Options.RespectRequiredConstructorParameters && property.AssociatedParameter is { HasDefaultValue: false });

    private static bool IsNullable(JsonPropertyInfo property) =>
        property.AssociatedParameter?.IsNullable ?? property.IsSetNullable;

    private static string ChildPath(string path, string name) => $"{path}.{name}";

    private static ExpectedKind? ExpectedKind(Type type)
    {
        if (type == typeof(string) || type == typeof(Guid) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(TimeSpan) || type == typeof(Uri)
            || type == typeof(char) || type.IsEnum)
        {
            return Json.ExpectedKind.Text;
        }

        if (type == typeof(bool))
        {
            return Json.ExpectedKind.Boolean;
        }

        return Type.GetTypeCode(type) is >= TypeCode.SByte and <= TypeCode.Decimal ? Json.ExpectedKind.Number : null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex PlainName();
}

internal enum ExpectedKind
{
    Text,
    Number,
    Boolean,
}

internal static class ExpectedKindExtensions
{
    public static bool Matches(this ExpectedKind expected, JsonValueKind actual) => expected switch
    {
        ExpectedKind.Text => actual == JsonValueKind.String,
        ExpectedKind.Number => actual == JsonValueKind.Number,
        _ => actual is JsonValueKind.True or JsonValueKind.False,
    };

    public static string Describe(this ExpectedKind expected) => expected switch
    {
        ExpectedKind.Text => "a JSON string",
        ExpectedKind.Number => "a JSON number",
        _ => "true or false",
    };
}
