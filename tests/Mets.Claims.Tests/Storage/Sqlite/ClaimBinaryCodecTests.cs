using Mets.Claims.Reading.X12;
using Mets.Claims.Storage.Sqlite;

namespace Mets.Claims.Tests.Storage.Sqlite;

public class ClaimBinaryCodecTests
{
    [Fact]
    public void EncodeDecode_ClaimsWithAndWithoutOptionalValues_RoundTrip()
    {
        var claims = new List<Claim>();
        foreach (var file in new[] { "bh/bh-professional.837", "bh/bh-institutional.837i", "professional-5010/demo.drug.example10.2.837" })
        {
            using var stream = File.OpenRead(TestFiles.DataPath("x12-837", file));
            claims.AddRange(X12ClaimReader.Read(stream).Where(o => o.IsAccepted).Select(o => o.Claim!));
        }

        claims.Add(new Claim("R1", ClaimFrequency.Void, "M1", ClaimType.Pharmacy, null, null, null, null, [], null,
            [new ClaimLine(1, new DateOnly(2026, 1, 2), new DateOnly(2026, 1, 2), null, null, null, [], null, null, "00049491030", 30, 30.5m, 12.34m, 10.01m, ClaimLineStatus.Denied)]));

        foreach (var claim in claims)
        {
            var decoded = ClaimBinaryCodec.Decode(ClaimBinaryCodec.Encode(claim));

            Assert.Equal(claim with { Diagnoses = [], Lines = [] }, decoded with { Diagnoses = [], Lines = [] });
            Assert.Equal(claim.Diagnoses, decoded.Diagnoses);
            Assert.Equal(claim.Lines.Count, decoded.Lines.Count);
            for (var i = 0; i < claim.Lines.Count; i++)
            {
                Assert.Equal(claim.Lines[i] with { Modifiers = [] }, decoded.Lines[i] with { Modifiers = [] });
                Assert.Equal(claim.Lines[i].Modifiers, decoded.Lines[i].Modifiers);
            }
        }
    }
}
