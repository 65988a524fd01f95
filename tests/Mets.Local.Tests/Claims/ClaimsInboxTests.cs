using Mets.Local.Claims;

namespace Mets.Local.Tests.Claims;

public class ClaimsInboxTests
{
    [Theory]
    [InlineData("claims.csv", "claims.csv")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("my file (2).csv", "my_file__2_.csv")]
    [InlineData(".hidden", "hidden")]
    [InlineData("", "claims-file")]
    [InlineData(null, "claims-file")]
    public void SafeName_KeepsOnlySafeCharacters(string? name, string expected) =>
        Assert.Equal(expected, ClaimsInbox.SafeName(name));

    [Fact]
    public void UploadNames_CarryTheIdAndTheOriginalName()
    {
        var id = new string('c', 64);
        var path = Path.Combine("/data/claims/inbox", $"upload-{id}-feb.csv");

        Assert.Equal(id, ClaimsInbox.UploadIdOf(path));
        Assert.Equal("feb.csv", ClaimsInbox.ProcessingNameOf(path));
        Assert.Null(ClaimsInbox.UploadIdOf("/data/claims/inbox/dropped.csv"));
        Assert.Equal("dropped.csv", ClaimsInbox.ProcessingNameOf("/data/claims/inbox/dropped.csv"));
    }
}
