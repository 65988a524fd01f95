using System.Text;
using Mets.Api.Referrals;

namespace Mets.Api.Tests.Referrals;

/// <summary>Referral diagnoses go through the same ICD-10-CM validator as claims (Mets.Domain.Diagnoses): the
/// error names the rule, never the value.</summary>
public class ReferralDiagnosisTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static FhirReferralReader.Result Read(string code) => FhirReferralReader.Read(Encoding.UTF8.GetBytes($$"""
        {
          "resourceType": "ServiceRequest",
          "contained": [
            { "resourceType": "Patient", "id": "pat", "identifier": [ { "value": "MEDICAID-FL:A123" } ] },
            { "resourceType": "Practitioner", "id": "doc", "identifier": [ { "system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893" } ],
              "name": [ { "given": ["Ana"], "family": "Lopez" } ], "telecom": [ { "system": "email", "value": "lopez@clinic.example" } ] } ],
          "identifier": [ { "value": "REF-DX-1" } ],
          "status": "active", "intent": "order",
          "subject": { "reference": "#pat" },
          "requester": { "reference": "#doc" },
          "reasonCode": [ { "coding": [ { "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "{{code}}" } ] } ]
        }
        """), Now);

    [Theory]
    [InlineData("U07.1", "U07.1")]
    [InlineData("U099", "U09.9")]
    [InlineData("M1A.0710", "M1A.0710")]
    public void Read_CodesOnceRefused_AreAccepted(string code, string expected)
    {
        var result = Read(code);

        Assert.True(result.Errors.IsEmpty, string.Join("; ", result.Errors.ToDictionary().SelectMany(e => e.Value)));
        Assert.Equal([expected], result.Referral!.Diagnoses.Select(d => d.Value));
    }

    [Theory]
    [InlineData("F3X9", "must be an ICD-10-CM code (the third character is a digit, or a letter only in the categories C4A, C7A, C7B, D3A, M1A, O9A, Z3A).")]
    [InlineData("T40.1X1", "must be an ICD-10-CM code (the placeholder X stands only in a seven-character code, before its seventh character).")]
    [InlineData("F32.", "must be an ICD-10-CM code (the decimal point must be followed by 1 to 4 characters).")]
    public void Read_StructurallyInvalidCode_IsAClearFieldError(string code, string message)
    {
        var result = Read(code);

        Assert.Null(result.Referral);
        var errors = result.Errors.ToDictionary()["$.ServiceRequest.reasonCode[0]"];
        Assert.Equal(message, Assert.Single(errors));
    }
}
