using System.Globalization;
using Mets.Claims.Reading.X12;

namespace Mets.Claims.Tests.Acknowledgments;

/// <summary>An acknowledgment read back with the claims reader's own segment reader, its envelopes checked: every
/// ISA exactly 106 characters and answered by its IEA (IEA01 = groups, IEA02 = ISA13), every GE counting its sets
/// with GE02 = GS06, every SE counting its segments with SE02 = ST02.</summary>
internal sealed class AckFile
{
    private AckFile(List<AckInterchange> interchanges) => Interchanges = interchanges;

    public List<AckInterchange> Interchanges { get; }

    /// <summary>Every segment of every interchange after its ISA, written back with '*' and ':' (e.g. "IK4*1:2*1271*7").</summary>
    public IEnumerable<string> Segments => Interchanges.SelectMany(i => i.Segments);

    public static AckFile Parse(string content)
    {
        var reader = X12SegmentReader.Create(TestFiles.Text(content));
        var interchanges = new List<AckInterchange>();
        while (reader.ReadInterchangeHeader() is { } isa)
        {
            Assert.Null(isa.Problem);
            var header = isa.Header!;
            var segments = new List<string>();
            var groups = 0;
            var sets = 0;
            string? gs06 = null;
            string? st02 = null;
            var setSegments = 0;
            while (true)
            {
                Assert.True(reader.TryRead(out var segment), "the acknowledgment ends without IEA");
                var d = header.Delimiters;
                var written = string.Join('*', segment.Elements.Select(e => e.Replace(d.Component, ':')));
                segments.Add(written);
                setSegments++;
                switch (segment.Id)
                {
                    case "GS":
                        groups++;
                        sets = 0;
                        gs06 = segment[6];
                        break;
                    case "ST":
                        sets++;
                        st02 = segment[2];
                        setSegments = 1;
                        break;
                    case "SE":
                        Assert.Equal(setSegments.ToString(CultureInfo.InvariantCulture), segment[1]);
                        Assert.Equal(st02, segment[2]);
                        break;
                    case "GE":
                        Assert.Equal(sets.ToString(CultureInfo.InvariantCulture), segment[1]);
                        Assert.Equal(gs06, segment[2]);
                        break;
                }

                if (segment.Id == "IEA")
                {
                    Assert.Equal(groups.ToString(CultureInfo.InvariantCulture), segment[1]);
                    Assert.Equal(header.ControlNumber, segment[2]);
                    break;
                }
            }

            interchanges.Add(new AckInterchange(header, segments));
        }

        Assert.NotEmpty(interchanges);
        return new AckFile(interchanges);
    }
}

internal sealed record AckInterchange(X12InterchangeHeader Header, List<string> Segments)
{
    public string? Segment(string id) => Segments.FirstOrDefault(s => s.StartsWith(id + "*", StringComparison.Ordinal));

    public IEnumerable<string> All(string id) => Segments.Where(s => s.StartsWith(id + "*", StringComparison.Ordinal));
}
