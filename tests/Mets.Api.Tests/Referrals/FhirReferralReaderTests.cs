using System.Text;
using Mets.Api.Referrals;
using Mets.Domain.Referrals;

namespace Mets.Api.Tests.Referrals;

public class FhirReferralReaderTests
{
    private const string Sentinel = "ZQFHIR-9043";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static FhirReferralReader.Result Read(string json) => FhirReferralReader.Read(Encoding.UTF8.GetBytes(json), Now);

    private static string ServiceRequest(string contained, string subject = "#pat", string requester = "\"requester\": { \"reference\": \"#doc\" },", string extra = "") => $$"""
        {
          "resourceType": "ServiceRequest",
          "contained": [ {{contained}} ],
          "identifier": [ { "value": "REF-F-1" } ],
          "status": "active", "intent": "order",
          "subject": { "reference": "{{subject}}" },
          {{requester}}
          {{extra}}
          "reasonCode": [ { "coding": [ { "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F10.20" }, { "system": "http://snomed.info/sct", "code": "35489007" } ] } ]
        }
        """;

    private const string Patient = """{ "resourceType": "Patient", "id": "pat", "identifier": [ { "value": "MEDICAID-FL:A123" } ] }""";

    private const string Doctor = """
        { "resourceType": "Practitioner", "id": "doc", "identifier": [ { "system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893" } ],
          "name": [ { "given": ["Ana"], "family": "Lopez" } ], "telecom": [ { "system": "phone", "value": "555" }, { "system": "email", "value": "lopez@clinic.example" } ] }
        """;

    [Fact]
    public void Read_ContainedServiceRequest_MapsEveryField()
    {
        const string consent = "\"extension\": [ { \"url\": \"https://mets.example.org/fhir/StructureDefinition/consent-to-share-substance-use\", \"valueBoolean\": true } ],";

        var result = Read(ServiceRequest($"{Patient}, {Doctor}", extra: consent + " \"priority\": \"stat\","));

        Assert.True(result.Errors.IsEmpty, string.Join("; ", result.Errors.ToDictionary().SelectMany(e => e.Value)));
        var referral = result.Referral!;
        Assert.Equal("REF-F-1", referral.Id.Value);
        Assert.Equal("MEDICAID-FL:A123", referral.Member.Value);
        Assert.Equal(ReferralUrgency.Urgent, referral.Urgency);
        Assert.True(referral.ConsentToShareSubstanceUseInformation);
        Assert.Equal(["F10.20"], referral.Diagnoses.Select(d => d.Value));
        var provider = Assert.Single(referral.TreatingProviders);
        Assert.Equal(("Ana Lopez", "1234567893", "lopez@clinic.example", ProviderRole.BehavioralHealth), (provider.Name, provider.Npi.Value, provider.Email.Value, provider.Role));
        Assert.Equal(Now, referral.ReceivedAt);
        Assert.Empty(referral.Validate());
    }

    [Fact]
    public void Read_MissingPatient_ErrorAtSubject()
    {
        var result = Read(ServiceRequest(Doctor));

        Assert.Null(result.Referral);
        Assert.Contains("$.ServiceRequest.subject", result.Errors.ToDictionary().Keys);
    }

    [Fact]
    public void Read_NoRequesterNorPerformer_ErrorAtRequester()
    {
        var result = Read(ServiceRequest(Patient, requester: string.Empty));

        Assert.Null(result.Referral);
        Assert.Contains("$.ServiceRequest.requester", result.Errors.ToDictionary().Keys);
    }

    [Fact]
    public void Read_PractitionerWithoutNpiOrEmail_ErrorsWithoutEchoingValues()
    {
        var doctor = $$"""{ "resourceType": "Practitioner", "id": "doc", "identifier": [ { "system": "http://hl7.org/fhir/sid/us-npi", "value": "{{Sentinel}}" } ], "name": [ { "text": "Dr X" } ] }""";

        var result = Read(ServiceRequest($"{Patient}, {doctor}"));

        Assert.Null(result.Referral);
        var messages = result.Errors.ToDictionary()["$.ServiceRequest.requester"];
        Assert.Contains(messages, m => m.Contains("us-npi", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("email", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains(Sentinel, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_PatientWithoutPayer_ErrorAtPatientIdentifier()
    {
        var patient = $$"""{ "resourceType": "Patient", "id": "pat", "identifier": [ { "value": "{{Sentinel}}" } ] }""";

        var result = Read(ServiceRequest($"{patient}, {Doctor}"));

        Assert.Null(result.Referral);
        Assert.Contains("$.Patient.identifier", result.Errors.ToDictionary().Keys);
        Assert.DoesNotContain(Sentinel, string.Concat(result.Errors.ToDictionary().SelectMany(e => e.Value)), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PayerInAssigner_BuildsTheMemberId()
    {
        var patient = """{ "resourceType": "Patient", "id": "pat", "identifier": [ { "value": "a123", "assigner": { "display": "plan" } } ] }""";

        var result = Read(ServiceRequest($"{patient}, {Doctor}"));

        Assert.Equal("PLAN:A123", result.Referral?.Member.Value);
    }

    [Theory]
    [InlineData("""{ "resourceType": "Patient", "id": "p" }""", "$.resourceType")]
    [InlineData("""{ "resourceType": "Bundle", "type": "collection", "entry": [ { "resource": { "resourceType": "Patient", "id": "p" } } ] }""", "$.Bundle.entry")]
    [InlineData("""{ "resourceType": "NoSuchResource" }""", "$")]
    [InlineData("""{ "resourceType": "ServiceRequest", "status": 12 }""", "$")]
    [InlineData("""not json""", "$")]
    public void Read_NotAReferral_ClearError(string json, string path)
    {
        var result = Read(json);

        Assert.Null(result.Referral);
        Assert.Contains(path, result.Errors.ToDictionary().Keys);
    }

    [Fact]
    public void Read_BundleWithTwoServiceRequests_Refused()
    {
        const string request = """{ "resource": { "resourceType": "ServiceRequest", "status": "active", "intent": "order", "subject": { "reference": "Patient/p" } } }""";

        var result = Read($$"""{ "resourceType": "Bundle", "type": "collection", "entry": [ {{request}}, {{request}} ] }""");

        Assert.Null(result.Referral);
        Assert.Contains("$.Bundle.entry", result.Errors.ToDictionary().Keys);
    }

    /// <summary>Found by the HTTP fuzzer (docs/reliability.md): Firely threw CodedValidationException for a number where the
    /// contained resources belong, and the referral route answered 500.</summary>
    [Theory]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1e400")]
    [InlineData("\"text\"")]
    [InlineData("{}")]
    public void Read_ContainedThatIsNotAnArray_IsRefusedAtTheRoot(string contained)
    {
        var result = Read("{ \"resourceType\": \"ServiceRequest\", \"id\": \"sr2\", \"contained\": " + contained
            + ", \"identifier\": [ { \"value\": \"R-1\" } ], \"status\": \"active\", \"intent\": \"order\", \"subject\": { \"reference\": \"#pat\" } }");

        Assert.Null(result.Referral);
        Assert.True(result.Errors.ToDictionary().ContainsKey("$"));
    }
}
