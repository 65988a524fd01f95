using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mets.Workflow.Cases;

/// <summary>The JSON shape of stored case documents and referrals (web defaults, enums by name).</summary>
public static class CaseDocumentJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
