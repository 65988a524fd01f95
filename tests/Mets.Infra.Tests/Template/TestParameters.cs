namespace Mets.Infra.Tests.Template;

/// <summary>
/// The environment infra/main.bicepparam reads, as a deployer would set it (azd env set ...), with made-up values:
/// the snapshot of the template is taken with these, for a made-up subscription and resource group.
/// </summary>
internal static class TestParameters
{
    public const string SubscriptionId = "00000000-0000-0000-0000-0000000000a1";
    public const string ResourceGroup = "rg-mets-test";
    public const string Location = "eastus2";

    public const string EntraAudience = "11111111-2222-3333-4444-555555555555";
    public const string StaffObjectId = "aaaaaaaa-0000-4000-8000-000000000001";
    public const string ReferralSourceClientId = "bbbbbbbb-0000-4000-8000-000000000002";
    public const string ActiveKeyId = "k2";
    public const string RetiredKeyId = "k1";

    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["AZURE_ENV_NAME"] = "test",
        ["AZURE_LOCATION"] = Location,
        ["METS_ENTRA_AUDIENCE"] = EntraAudience,
        ["METS_ENTRA_CALLERS"] = $$"""[{ "objectId": "{{StaffObjectId}}", "user": "clinician.one" }, { "clientId": "{{ReferralSourceClientId}}", "user": "ehr.referrals" }]""",
        ["METS_CARE_TEAM"] = """
            { "clinicians": [ { "id": "clinician.one", "email": "clinician.one@example.org" }, { "id": "clinician.two", "email": "clinician.two@example.org" } ],
              "supervisors": [ { "id": "supervisor.one", "email": "supervisor.one@example.org" } ],
              "medicalDirectors": [ { "id": "medical.director", "email": "medical.director@example.org" } ] }
            """,
        ["METS_MAIL_FROM"] = "mets-noreply@example.org",
        ["METS_SENDGRID_API_KEY"] = "SG.test-only-not-a-key",
        ["METS_PROVIDER_LINK_KEY_ID"] = ActiveKeyId,
        ["METS_PROVIDER_LINK_KEY"] = Convert.ToBase64String(new byte[32]),
        ["METS_PROVIDER_LINK_RETIRED_KEY_IDS"] = $"""["{RetiredKeyId}"]""",
    };
}
