using System.Text;
using Mets.Claims.Reading.Csv;
using Mets.Claims.Reading.X12;
using Xunit.Abstractions;

namespace Mets.Claims.Tests.Reading;

/// <summary>Damaged files must end in rejects or a structure error, never in any other exception.</summary>
public class MalformedInputTests(ITestOutputHelper output)
{
    private const int Seed = 6112026;

    [Fact]
    public void X12Reader_RandomlyDamagedFiles_OnlyRejectOrReportStructureErrors()
    {
        output.WriteLine($"seed {Seed}");
        var random = new Random(Seed);
        var original = File.ReadAllText(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"));
        var segments = original.Split("~\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        for (var i = 0; i < 300; i++)
        {
            var damaged = Damage(random, segments);
            var text = string.Join("~\n", damaged) + "~\n";
            try
            {
                foreach (var outcome in X12ClaimReader.Read(TestFiles.Text(text)))
                {
                    Assert.True(outcome.IsAccepted || outcome.Rejects.Count > 0);
                }
            }
            catch (ClaimsFileStructureException)
            {
            }
        }
    }

    [Fact]
    public void CsvReader_RandomlyDamagedRows_OnlyRejectOrReportStructureErrors()
    {
        output.WriteLine($"seed {Seed}");
        var random = new Random(Seed);
        var header = Csv.ClaimsCsvReaderTests.Header;
        const string Row = "C1,1,original,M1,professional,2026-03-02,2026-03-02,,,11,,,90834,95,F32.1,F41.1,,1234567893,1234567893,2084P0800X,,,1,120.00,95.50,paid";
        for (var i = 0; i < 300; i++)
        {
            var text = new StringBuilder(header).Append('\n');
            for (var r = 0; r < 5; r++)
            {
                var fields = Row.Split(',');
                fields[0] = "C" + r;
                var victim = random.Next(fields.Length);
                fields[victim] = RandomText(random);
                text.Append(string.Join(',', fields.Take(random.Next(1, fields.Length + 1)))).Append('\n');
            }

            try
            {
                foreach (var outcome in ClaimsCsvReader.Read(TestFiles.Text(text.ToString())))
                {
                    Assert.True(outcome.IsAccepted || outcome.Rejects.Count > 0);
                }
            }
            catch (ClaimsFileStructureException)
            {
            }
        }
    }

    private static List<string> Damage(Random random, List<string> segments)
    {
        var damaged = segments.ToList();
        var index = random.Next(1, damaged.Count);
        switch (random.Next(5))
        {
            case 0:
                damaged.RemoveAt(index);
                break;
            case 1:
                damaged.Insert(index, damaged[random.Next(1, damaged.Count)]);
                break;
            case 2:
                var elements = damaged[index].Split('*');
                elements[random.Next(elements.Length)] = RandomText(random);
                damaged[index] = string.Join('*', elements);
                break;
            case 3:
                damaged[index] = damaged[index][..random.Next(damaged[index].Length)];
                break;
            default:
                damaged = damaged.Take(index).ToList();
                break;
        }

        return damaged;
    }

    private static string RandomText(Random random)
    {
        const string Alphabet = "AZaz09:*~^>-.\"' \\r";
        var length = random.Next(0, 14);
        return new string(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
    }
}
