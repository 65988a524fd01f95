namespace Mets.Azure.Tests;

/// <summary>The workflow and claims settings every Azure adapter test composes with.</summary>
internal static class WorkflowTestSettings
{
    public static Dictionary<string, string?> For(string folder) => new()
    {
        ["Mets:Workflow:DataFolder"] = folder,
        ["Mets:Workflow:MailFrom"] = "mets@plan.example",
        ["Mets:Roster:Clinicians:0:Id"] = "clin.reyes",
        ["Mets:Roster:Clinicians:0:Email"] = "reyes@plan.example",
        ["Mets:Roster:Supervisors:0:Id"] = "sup.lindqvist",
        ["Mets:Roster:Supervisors:0:Email"] = "lindqvist@plan.example",
        ["Mets:Roster:MedicalDirectors:0:Id"] = "md.osei",
        ["Mets:Roster:MedicalDirectors:0:Email"] = "osei@plan.example",
        ["Mets:ProviderLinks:BaseUrl"] = "https://mets.plan.example/provider-responses",
        ["Mets:ProviderLinks:ActiveKeyId"] = "k1",
        ["Mets:ProviderLinks:Keys:k1"] = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()),
        ["Claims:Store:DatabasePath"] = Path.Combine(folder, "claims.db"),
    };
}
