using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Identifiers;

public class EmailTests
{
    [Theory]
    [InlineData("dr.lee@Clinic.Example.ORG", "dr.lee@clinic.example.org")]
    [InlineData(" intake+mets@bh-partners.example ", "intake+mets@bh-partners.example")]
    public void Parse_Valid_NormalizesDomain(string text, string expected)
    {
        Assert.Equal(expected, Email.Parse(text).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-at-sign.example.org")]
    [InlineData("two@@example.org")]
    [InlineData("@example.org")]
    [InlineData("user@")]
    [InlineData("user@localhost")]
    [InlineData("Dr Lee <lee@example.org>")]
    [InlineData("user@exa mple.org")]
    [InlineData(".user@example.org")]
    [InlineData("us..er@example.org")]
    [InlineData("user@-example.org")]
    [InlineData("user@example..org")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(Email.TryParse(text, out _));
    }
}
