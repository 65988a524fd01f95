using System.Text;
using System.Text.Json;
using Mets.Api.Json;
using Mets.Api.Tests.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mets.Api.Tests.Json;

public class RequestBodyParseTests
{
    private const string Sentinel = ProbeEndpoints.Sentinel;

    private const string Valid = """
        {
          "referralId": "R-1",
          "member": { "memberId": "M-1", "dateOfBirth": "1980-02-03" },
          "goals": [ { "text": "walk daily", "weeks": 4 }, { "text": "sleep", "weeks": 2 } ],
          "urgency": "urgent"
        }
        """;

    private static JsonBody<ProbeReferral> Parse(string json) => RequestBody.Parse<ProbeReferral>(Encoding.UTF8.GetBytes(json));

    private static IDictionary<string, string[]> Errors(JsonBody<ProbeReferral> body)
    {
        Assert.False(body.IsValid);
        Assert.Equal(400, body.Problem.StatusCode);
        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpValidationProblemDetails>(body.Problem.ProblemDetails);
        Assert.DoesNotContain(Sentinel, JsonSerializer.Serialize(problem), StringComparison.Ordinal);
        return problem.Errors;
    }

    private static string With(string from, string to) => Valid.Replace(from, to, StringComparison.Ordinal);

    [Fact]
    public void Parse_ValidBody_ReturnsTheValue()
    {
        var body = Parse(Valid);

        Assert.True(body.IsValid);
        Assert.Equal("R-1", body.Value.ReferralId);
        Assert.Equal(new DateOnly(1980, 2, 3), body.Value.Member.DateOfBirth);
        Assert.Equal(ProbeUrgency.Urgent, body.Value.Urgency);
        Assert.Equal(2, body.Value.Goals.Count);
        Assert.Null(body.Value.Priority);
    }

    [Fact]
    public void Parse_UnknownFields_EachNamedByPath()
    {
        var errors = Errors(Parse(With("\"urgency\"", $"\"nickname\": \"{Sentinel}\", \"urgency\"")
            .Replace("\"weeks\": 2", $"\"weeks\": 2, \"extra\": \"{Sentinel}\"", StringComparison.Ordinal)));

        Assert.Equal(["is not a known field."], errors["$.nickname"]);
        Assert.Equal(["is not a known field."], errors["$.goals[1].extra"]);
    }

    [Fact]
    public void Parse_UnknownFieldWithOddName_NotEchoed()
    {
        var errors = Errors(Parse(With("\"urgency\"", $"\"{Sentinel} x\": 1, \"urgency\"")));

        Assert.Contains("$", errors.Keys);
    }

    [Theory]
    [InlineData("{ \"referralId\": ")]
    [InlineData("{ \"referralId\": 'R-1' }")]
    [InlineData("{ \"referralId\": \"R-1\", }")]
    [InlineData("{ /* comment */ \"referralId\": \"R-1\" }")]
    [InlineData("ZQX-SENTINEL-7731")]
    public void Parse_MalformedJson_SingleBodyLevelError(string json)
    {
        var errors = Errors(Parse(json));

        var message = Assert.Single(errors["$"]);
        Assert.StartsWith("The body is not valid JSON", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrongKinds_NamedByPath()
    {
        var json = With("\"weeks\": 4", $"\"weeks\": \"{Sentinel}\"")
            .Replace("\"referralId\": \"R-1\"", "\"referralId\": 12", StringComparison.Ordinal)
            .Replace("\"memberId\": \"M-1\"", "\"memberId\": { \"x\": 1 }", StringComparison.Ordinal);

        var errors = Errors(Parse(json));

        Assert.Equal(["must be a JSON number."], errors["$.goals[0].weeks"]);
        Assert.Equal(["must be a JSON string."], errors["$.referralId"]);
        Assert.Equal(["must be a JSON string."], errors["$.member.memberId"]);
    }

    [Fact]
    public void Parse_NumberAsString_Refused()
    {
        var errors = Errors(Parse(With("\"urgency\"", "\"priority\": \"3\", \"urgency\"")));

        Assert.Equal(["must be a JSON number."], errors["$.priority"]);
    }

    [Fact]
    public void Parse_ObjectWhereArrayExpected_Refused()
    {
        var errors = Errors(Parse("""{ "referralId": "R", "member": { "memberId": "M", "dateOfBirth": "1980-01-01" }, "goals": {}, "urgency": "routine" }"""));

        Assert.Equal(["must be a JSON array."], errors["$.goals"]);
    }

    [Fact]
    public void Parse_MissingRequiredFields_Named()
    {
        var errors = Errors(Parse("""{ "member": { "dateOfBirth": "1980-01-01" }, "goals": [], "urgency": "routine" }"""));

        Assert.Equal(["is required."], errors["$.referralId"]);
        Assert.Equal(["is required."], errors["$.member.memberId"]);
        Assert.DoesNotContain("$.priority", errors.Keys);
        Assert.DoesNotContain("$.member.preferredName", errors.Keys);
    }

    [Fact]
    public void Parse_NullForNonNullable_Named()
    {
        var errors = Errors(Parse(With("\"referralId\": \"R-1\"", "\"referralId\": null")
            .Replace("\"urgency\"", "\"priority\": null, \"urgency\"", StringComparison.Ordinal)));

        Assert.Equal(["must not be null."], errors["$.referralId"]);
        Assert.DoesNotContain("$.priority", errors.Keys);
    }

    [Fact]
    public void Parse_BadDateFormat_NamedByPathWithoutTheValue()
    {
        var errors = Errors(Parse(With("1980-02-03", Sentinel)));

        Assert.Equal(["has a value that is not valid for this field."], errors["$.member.dateOfBirth"]);
    }

    [Theory]
    [InlineData("\"emergency\"")]
    [InlineData("1")]
    public void Parse_UnknownOrNumericEnum_Refused(string urgency)
    {
        var errors = Errors(Parse(With("\"urgent\"", urgency)));

        Assert.Contains("$.urgency", errors.Keys);
    }

    [Fact]
    public void Parse_DuplicateField_Refused()
    {
        var errors = Errors(Parse(With("\"urgency\"", "\"referralId\": \"R-2\", \"urgency\"")));

        Assert.Contains("$", errors.Keys);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public void Parse_BodyNotAnObject_Refused(string json)
    {
        var errors = Errors(Parse(json));

        Assert.Equal(["must be a JSON object."], errors["$"]);
    }

    [Fact]
    public void Parse_TooDeep_Refused()
    {
        var json = "{\"referralId\":" + new string('[', 40) + new string(']', 40) + "}";

        Assert.Contains("$", Errors(Parse(json)).Keys);
    }

    [Fact]
    public void Parse_ProblemIsATypedProblemResult()
    {
        Assert.IsType<ProblemHttpResult>(Parse("{").Problem);
    }

    /// <summary>Found by the HTTP fuzzer (docs/reliability.md): a field name that is not UTF-8 answered 500.</summary>
    [Fact]
    public void Parse_BodyThatIsNotUtf8_Answers400AtTheRoot()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid.Replace("\"urgency\"", "\"\u00ff\u00fe\"", StringComparison.Ordinal));
        bytes = [.. bytes.Take(Valid.IndexOf("\"urgency\"", StringComparison.Ordinal) + 1), 0xFF, 0xFE, .. bytes.Skip(Valid.IndexOf("\"urgency\"", StringComparison.Ordinal) + 5)];

        var errors = Errors(RequestBody.Parse<ProbeReferral>(bytes));

        Assert.Equal([RequestBody.InvalidUtf8], errors["$"]);
    }

    /// <summary>Found by the HTTP fuzzer: a field name escaping a lone surrogate (valid JSON, no Unicode text) answered 500.</summary>
    [Theory]
    [InlineData("{ \"\\ud800\": 1, \"referralId\": \"R-1\" }")]
    [InlineData("{ \"referralId\": \"R-1\", \"member\": { \"\\udfff\\ud800\": \"x\" } }")]
    public void Parse_FieldNameWithALoneSurrogateEscape_Answers400(string json)
    {
        var errors = Errors(Parse(json));

        Assert.Equal([RequestBody.UnreadableFieldName], errors["$"]);
    }
}
