using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// Writes a validated value as a plain JSON string (also as a dictionary key) and validates it on
/// read. Rejections become a <see cref="JsonException"/> naming the kind of value and the reason,
/// never the rejected text.
/// </summary>
public sealed class StringValueJsonConverter<T> : JsonConverter<T>
    where T : struct, IStringValue<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"A {T.Description} must be a JSON string.");
        }

        return FromString(reader.GetString());
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(ToText(value));
    }

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        FromString(reader.GetString());

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(ToText(value));
    }

    private static T FromString(string? text) =>
        T.TryParse(text, out var value, out var reason)
            ? value
            : throw new JsonException($"Not a valid {T.Description}: {reason}.");

    private static string ToText(T value) =>
        value.Value ?? throw new JsonException($"An uninitialized {T.Description} cannot be written.");
}
