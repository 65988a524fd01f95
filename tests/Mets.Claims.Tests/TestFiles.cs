using System.Text;

namespace Mets.Claims.Tests;

/// <summary>Helpers that turn text into the streams the readers take, and find vendored test data.</summary>
internal static class TestFiles
{
    public static MemoryStream Text(string content) => new(Encoding.UTF8.GetBytes(content));

    public static string DataPath(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    /// <summary>Distinctive values that must never show up in a reject report, log or exception.</summary>
    public static class Sentinel
    {
        public const string MemberId = "ZZMEMBER7731";
        public const string Diagnosis = "F3181";
    }
}
