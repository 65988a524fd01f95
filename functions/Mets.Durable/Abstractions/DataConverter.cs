using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mets.Durable;

/// <summary>
/// The one serializer every input, output, event payload and custom status goes through, in every
/// store (the in-memory one too), so what a test sees is what SQLite or Azure would hold.
/// </summary>
public sealed class DataConverter
{
    public DataConverter(JsonSerializerOptions? options = null)
    {
        Options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter() },
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        Options.MakeReadOnly(populateMissingResolver: true);
    }

    public static DataConverter Default { get; } = new();

    public JsonSerializerOptions Options { get; }

    public string? Serialize(object? value) => value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Options);

    public object? Deserialize(string? json, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return json is null ? DefaultOf(type) : JsonSerializer.Deserialize(json, type, Options);
    }

    public T? Deserialize<T>(string? json) => json is null ? default : JsonSerializer.Deserialize<T>(json, Options);

    private static object? DefaultOf(Type type) =>
        type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
}
