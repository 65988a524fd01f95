using Mets.Domain.Assessments;
using Mets.Domain.CommunitySupports;
using Mets.Workflow.CommunitySupports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Tests.CommunitySupports;

/// <summary>The community-resource directory: the sample file, search by need and area, and the file's bad rows reported by row and reason.</summary>
public class CommunityResourceDirectoryTests
{
    [Fact]
    public void Load_TheSampleInTheRepository_LoadsEveryRowAndMapsServiceTypesToNeeds()
    {
        var directory = CommunityResourceDirectory.Load(Path.Combine(AppContext.BaseDirectory, "community-resources.sample.csv"));

        Assert.Empty(directory.Rejects);
        Assert.Equal(9, directory.Resources.Count);
        Assert.Equal(Enum.GetValues<SocialNeedDomain>().Order(), directory.Resources.Select(r => r.Need).Distinct().Order());
        Assert.Equal(["FOOD-001", "FOOD-003"], directory.Search(SocialNeedDomain.FoodInsecurity, "gadsden").Select(r => r.Id));
        Assert.Equal(["TRAN-001"], directory.Search(SocialNeedDomain.Transportation, null).Select(r => r.Id));
        Assert.Empty(directory.Search(SocialNeedDomain.HousingInstability, "Jefferson"));
        Assert.Equal(9, directory.Search(null, null).Count);
    }

    [Fact]
    public void Read_BadRows_AreLeftOutWithTheirRowAndReason_NeverTheirValues()
    {
        const string csv = """
            resource_id,name,service_type,areas_served,phone
            OK-1,Good Pantry,food_pantry,Leon,850-555-0000
            bad id!,Sentinel Zebulon Org,food_pantry,Leon,
            OK-2,,transportation,Leon,
            OK-3,Unknown Type Org,space_travel,Leon,
            OK-1,Duplicate Id Org,food_pantry,Leon,
            OK-4,No Area Org,utility_assistance, ; ,
            OK-5,Shelter,EmergencyShelter,Leon;Wakulla,
            """;
        var directory = CommunityResourceDirectory.Read(new StringReader(csv));

        Assert.Equal(["OK-1", "OK-5"], directory.Resources.Select(r => r.Id));
        Assert.Equal([2L, 3, 4, 5, 6], directory.Rejects.Select(r => r.Row));
        Assert.StartsWith("resource_id must be", directory.Rejects[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith("name must be", directory.Rejects[1].Reason, StringComparison.Ordinal);
        Assert.Contains("food_pantry", directory.Rejects[2].Reason, StringComparison.Ordinal);
        Assert.Equal("resource_id is used by an earlier row.", directory.Rejects[3].Reason);
        Assert.StartsWith("areas_served must", directory.Rejects[4].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(directory.Rejects, r => r.Reason.Contains("Zebulon", StringComparison.Ordinal) || r.Reason.Contains("space_travel", StringComparison.Ordinal));
        Assert.Equal(["Leon", "Wakulla"], directory.Resources[1].AreasServed);
    }

    [Fact]
    public void Read_WithoutTheRequiredColumns_LoadsNothingAndSaysWhich()
    {
        var directory = CommunityResourceDirectory.Read(new StringReader("id,name\nX,Y\n"));

        Assert.Empty(directory.Resources);
        var reject = Assert.Single(directory.Rejects);
        Assert.Equal(0, reject.Row);
        Assert.Contains("resource_id, service_type, areas_served", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_APathNamingNoFile_StopsTheHostAtStartNamingTheSetting()
    {
        var services = new ServiceCollection().AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(WorkflowHarness.Settings(Path.GetTempPath(), new Dictionary<string, string?> { ["Mets:CommunityResources:Path"] = "no-such-directory.csv" })).Build());
        services.AddLogging().AddMetsWorkflowCore();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CommunityResourceOptions>>().Value);
        Assert.Contains("Mets:CommunityResources:Path names no file", error.Message, StringComparison.Ordinal);
    }
}
