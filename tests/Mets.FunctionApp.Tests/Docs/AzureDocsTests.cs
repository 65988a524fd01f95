using System.Text.RegularExpressions;
using Mets.FunctionApp.Tests.Durable;

namespace Mets.FunctionApp.Tests.Docs;

/// <summary>
/// docs/azure.md's function table (between <c>functions:begin</c> and <c>functions:end</c>) is what the build's
/// <c>functions.metadata</c> holds: every row a function with that trigger, route or source and methods, every
/// function a row.
/// </summary>
public sealed partial class AzureDocsTests
{
    private sealed record DocumentedFunction(string Name, string Trigger, string RouteOrSource);

    private static List<DocumentedFunction> DocumentedFunctions()
    {
        var text = File.ReadAllText(FunctionAppBuild.RepositoryFile("docs", "azure.md"));
        var begin = text.IndexOf("<!-- functions:begin -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- functions:end -->", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/azure.md has no functions:begin/end table");
        var rows = text[begin..end].Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .Select(c => new DocumentedFunction(c[1].Trim('`'), c[2], FirstCode().Match(c[3]) is { Success: true } m ? m.Groups[1].Value : string.Empty))
            .ToList();
        Assert.NotEmpty(rows);
        return rows;
    }

    [Fact]
    public void EveryFunctionOfTheBuild_IsARowOfTheTable_AndEveryRowAFunction()
    {
        var documented = DocumentedFunctions().Select(f => f.Name).Order(StringComparer.Ordinal).ToList();
        var built = FunctionsMetadata.Read().Select(f => f.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(documented.Distinct(StringComparer.Ordinal).Count(), documented.Count);
        Assert.Equal(built, documented);
    }

    [Fact]
    public void EachRow_NamesTheFunctionsTriggerRouteAndMethod()
    {
        var built = FunctionsMetadata.Read().ToDictionary(f => f.Name, StringComparer.Ordinal);

        Assert.All(DocumentedFunctions().Where(f => built.ContainsKey(f.Name)), row =>
        {
            var function = built[row.Name];
            var words = row.Trigger.Split(' ');
            var expectedType = words[0] switch
            {
                "HTTP" => "httpTrigger",
                "blob" => "blobTrigger",
                "timer" => "timerTrigger",
                "orchestration" => "orchestrationTrigger",
                "activity" => "activityTrigger",
                _ => "unknown trigger word " + words[0],
            };
            Assert.Equal(expectedType, function.TriggerType);
            switch (expectedType)
            {
                case "httpTrigger":
                    Assert.Equal(row.RouteOrSource, function.TriggerProperty("route"));
                    var methods = function.Trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant());
                    Assert.Equal([words[1]], methods);
                    break;
                case "blobTrigger":
                    Assert.Equal(row.RouteOrSource, function.TriggerProperty("path"));
                    break;
                case "timerTrigger":
                    Assert.Equal(row.RouteOrSource, function.TriggerProperty("schedule"));
                    break;
                default:
                    Assert.Equal(string.Empty, row.RouteOrSource);
                    break;
            }
        });
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex FirstCode();
}
