using System.Globalization;
using Mets.Domain.Assessments;
using Mets.Domain.CommunitySupports;
using Sylvan.Data.Csv;

namespace Mets.Workflow.CommunitySupports;

/// <summary>A row of the directory file that was not loaded: its row number (1 = the first after the header) and why; never its values.</summary>
public sealed record DirectoryReject(long Row, string Reason);

/// <summary>
/// The plan's directory of community resources, read once from a CSV file the plan maintains
/// (<see cref="CommunityResourceOptions.Path"/>; docs/care-plan.md, sample <c>data/community-resources.sample.csv</c>),
/// searchable by AHC HRSN need and area. Columns (header required, any order, extra columns ignored):
/// <c>resource_id</c>, <c>name</c>, <c>service_type</c> (a <see cref="CommunityServiceType"/> in snake_case or as
/// written, e.g. <c>food_pantry</c>), <c>areas_served</c> (semicolon-separated), <c>phone</c>, <c>email</c>,
/// <c>website</c>. A bad row is left out and reported (<see cref="Rejects"/>: row and reason); a file without the
/// required columns loads nothing and reports that.
/// </summary>
public sealed class CommunityResourceDirectory
{
    private static readonly string[] Required = ["resource_id", "name", "service_type", "areas_served"];

    private CommunityResourceDirectory(IReadOnlyList<CommunityResource> resources, IReadOnlyList<DirectoryReject> rejects)
    {
        Resources = resources;
        Rejects = rejects;
    }

    public static CommunityResourceDirectory Empty { get; } = new([], []);

    public IReadOnlyList<CommunityResource> Resources { get; }

    public IReadOnlyList<DirectoryReject> Rejects { get; }

    public CommunityResource? Find(string? id) => Resources.FirstOrDefault(r => r.Id == id);

    /// <summary>Resources meeting <paramref name="need"/> (any when null) that serve <paramref name="area"/> (any when null), by name.</summary>
    public IReadOnlyList<CommunityResource> Search(SocialNeedDomain? need, string? area) =>
        [.. Resources.Where(r => (need is null || r.Need == need) && r.Serves(area)).OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>Reads the directory file. Throws <see cref="FileNotFoundException"/> when it does not exist.</summary>
    public static CommunityResourceDirectory Load(string path)
    {
        using var text = File.OpenText(path);
        return Read(text);
    }

    public static CommunityResourceDirectory Read(TextReader text)
    {
        ArgumentNullException.ThrowIfNull(text);
        CsvDataReader csv;
        try
        {
            csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',', Culture = CultureInfo.InvariantCulture });
        }
        catch (Exception e) when (e is CsvFormatException or FormatException or InvalidDataException)
        {
            return new CommunityResourceDirectory([], [new DirectoryReject(0, "The file is not CSV with a header row.")]);
        }

        using (csv)
        {
            var columns = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetName(i).Trim().ToLowerInvariant()).ToList();
            var missing = Required.Where(r => !columns.Contains(r)).ToList();
            if (missing.Count > 0)
            {
                return new CommunityResourceDirectory([], [new DirectoryReject(0, $"The header lacks the column(s) {string.Join(", ", missing)}.")]);
            }

            int Column(string name) => columns.IndexOf(name);
            string Field(int ordinal) => ordinal < 0 || ordinal >= csv.RowFieldCount ? string.Empty : csv.GetString(ordinal).Trim();
            var resources = new List<CommunityResource>();
            var rejects = new List<DirectoryReject>();
            long row = 0;
            while (true)
            {
                try
                {
                    if (!csv.Read())
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is CsvFormatException or FormatException)
                {
                    rejects.Add(new DirectoryReject(row + 1, "The row is not well-formed CSV; the rest of the file was not read."));
                    break;
                }

                row++;
                var id = Field(Column("resource_id"));
                var name = Field(Column("name"));
                var type = Field(Column("service_type"));
                var areas = Field(Column("areas_served")).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var reason = !CommunityResource.IsResourceId(id) ? "resource_id must be 1-32 letters, digits, hyphens or underscores."
                    : resources.Any(r => r.Id == id) ? "resource_id is used by an earlier row."
                    : name.Length is 0 or > 200 ? "name must be 1-200 characters."
                    : ServiceType(type) is null ? $"service_type is not one of {string.Join(", ", Enum.GetNames<CommunityServiceType>().Select(Snake))}."
                    : areas.Length == 0 ? "areas_served must name at least one area (semicolon-separated)."
                    : null;
                if (reason is not null)
                {
                    rejects.Add(new DirectoryReject(row, reason));
                    continue;
                }

                resources.Add(new CommunityResource(id, name, ServiceType(type)!.Value, areas, Optional(Field(Column("phone"))), Optional(Field(Column("email"))),
                    Optional(Field(Column("website")))));
            }

            return new CommunityResourceDirectory(resources, rejects);
        }
    }

    private static string? Optional(string value) => value.Length == 0 ? null : value;

    private static CommunityServiceType? ServiceType(string value)
    {
        var compact = value.Replace("_", string.Empty, StringComparison.Ordinal);
        return Enum.TryParse<CommunityServiceType>(compact, ignoreCase: true, out var type) && Enum.IsDefined(type) && !compact.All(char.IsAsciiDigit) ? type : null;
    }

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
