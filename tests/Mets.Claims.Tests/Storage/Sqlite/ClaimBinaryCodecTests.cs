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

    /// <summary>A claim with every field set, as the BinaryWriter-based codec (before the span-based one) encoded it:
    /// bodies already stored must decode to the same claim, and new bodies must be byte for byte the same.</summary>
    private const string StoredVersion2 =
        "0205434C4D2D3101054DC3A92D370121490B0028490B000102323101043031313102000000044633323900043239363201010A31323334353637383933020000000100000021490B0028490B0001023231010430313234010539303833370202484F024754010A31393837363534333231010A32303834503038303058010B30303034393439313033301E00000001190000000000000000000000000001000140E20100000000000000000000000200790F0F00000000000000000000000380010200000022490B0022490B0000000000000000FFFFFFFF00000000000000000000000000000000000000FD150B00";

    private static readonly Claim Stored = new("CLM-1", ClaimFrequency.Replacement, "M\u00e9-7", ClaimType.Institutional, new DateOnly(2026, 1, 2), new DateOnly(2026, 1, 9), "21", "0111",
        [new DiagnosisCode("F329", DiagnosisCodeSystem.Icd10Cm), new DiagnosisCode("2962", DiagnosisCodeSystem.Icd9Cm)], "1234567893",
        [new ClaimLine(1, new DateOnly(2026, 1, 2), new DateOnly(2026, 1, 9), "21", "0124", "90837", ["HO", "GT"], "1987654321", "2084P0800X", "00049491030", 30, 2.5m, 1234.56m, -987.001m, ClaimLineStatus.Denied),
         new ClaimLine(2, new DateOnly(2026, 1, 3), new DateOnly(2026, 1, 3), null, null, null, [], null, null, null, null, null, null, 0m, ClaimLineStatus.Paid)])
    {
        MemberBirthDate = new DateOnly(1990, 2, 28),
    };

    [Fact]
    public void Encode_SameBytesAsTheBodiesStoredBefore()
    {
        Assert.Equal(StoredVersion2, Convert.ToHexString(ClaimBinaryCodec.Encode(Stored)));
    }

    [Fact]
    public void Decode_StoredBodiesOfVersionsOneAndTwo_GiveTheClaim()
    {
        var version2 = Convert.FromHexString(StoredVersion2);
        // Version 1 is version 2 without the birth date at the end.
        var version1 = version2[..^4];
        version1[0] = 1;

        AssertSame(Stored, ClaimBinaryCodec.Decode(version2));
        AssertSame(Stored with { MemberBirthDate = null }, ClaimBinaryCodec.Decode(version1));
        Assert.Throws<InvalidDataException>(() => ClaimBinaryCodec.Decode(version2.AsSpan(0, version2.Length - 10)));
    }

    private static void AssertSame(Claim expected, Claim actual)
    {
        Assert.Equal(expected with { Diagnoses = [], Lines = [] }, actual with { Diagnoses = [], Lines = [] });
        Assert.Equal(expected.Diagnoses, actual.Diagnoses);
        Assert.Equal(expected.Lines.Select(l => l with { Modifiers = [] }), actual.Lines.Select(l => l with { Modifiers = [] }));
        Assert.Equal(expected.Lines.SelectMany(l => l.Modifiers), actual.Lines.SelectMany(l => l.Modifiers));
    }
}
