using Mets.Api.Problems;

namespace Mets.Api.Tests.Problems;

public class FieldErrorsTests
{
    [Fact]
    public void Add_RelativePath_IsRootedAtTheBody()
    {
        var errors = new FieldErrors().Add("member.dateOfBirth", "must be in the past.");

        Assert.Equal(["must be in the past."], errors.ToDictionary()["$.member.dateOfBirth"]);
    }

    [Fact]
    public void Add_SameMessageTwice_KeptOnce()
    {
        var errors = new FieldErrors().Add("$.a", "is required.").Add("$.a", "is required.").Add("$.a", "is too long.");

        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void RequireText_BlankAndTooLong_Reported()
    {
        var errors = new FieldErrors()
            .RequireText("  ", "$.name", 10)
            .RequireText(new string('x', 11), "$.note", 10)
            .RequireText("fine", "$.ok", 10);

        var dictionary = errors.ToDictionary();
        Assert.Equal(2, dictionary.Count);
        Assert.Contains("$.name", dictionary.Keys);
        Assert.Equal(["must be at most 10 characters long."], dictionary["$.note"]);
    }

    [Fact]
    public void AddNested_PrefixesThePaths()
    {
        var nested = new FieldErrors().Add("$.text", "is required.");

        var errors = new FieldErrors().AddNested("$.goals[2]", nested);

        Assert.Contains("$.goals[2].text", errors.ToDictionary().Keys);
    }

    [Fact]
    public void Require_ConditionHolds_NoError()
    {
        Assert.True(new FieldErrors().Require(true, "$.x", "never").IsEmpty);
        Assert.False(new FieldErrors().Require(false, "$.x", "always").IsEmpty);
    }
}
