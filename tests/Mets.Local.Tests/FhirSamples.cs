namespace Mets.Local.Tests;

/// <summary>FHIR R4 referrals as a referring EHR would send them.</summary>
internal static class FhirSamples
{
    public static string Bundle(string referralId, string memberId, bool withPatient = true) => $$"""
        {
          "resourceType": "Bundle",
          "type": "collection",
          "entry": [
            {
              "fullUrl": "urn:uuid:0b3c1c38-1b7e-4c3a-9a53-3a1f5b0d0001",
              "resource": {
                "resourceType": "ServiceRequest",
                "id": "sr1",
                "identifier": [ { "system": "https://ehr.example/referrals", "value": "{{referralId}}" } ],
                "status": "active",
                "intent": "order",
                "priority": "urgent",
                "subject": { "reference": "urn:uuid:0b3c1c38-1b7e-4c3a-9a53-3a1f5b0d0002" },
                "requester": { "reference": "PractitionerRole/role1" },
                "reasonCode": [ { "coding": [ { "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.1" } ] } ]
              }
            },
            {{(withPatient ? $$"""
            {
              "fullUrl": "urn:uuid:0b3c1c38-1b7e-4c3a-9a53-3a1f5b0d0002",
              "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "identifier": [ { "type": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB" } ] }, "value": "{{memberId}}" } ]
              }
            },
            """ : string.Empty)}}
            {
              "fullUrl": "https://ehr.example/fhir/PractitionerRole/role1",
              "resource": {
                "resourceType": "PractitionerRole",
                "id": "role1",
                "practitioner": { "reference": "Practitioner/pr1" },
                "code": [ { "coding": [ { "code": "psychiatry" } ] } ],
                "telecom": [ { "system": "email", "value": "rivera@clinic.example" } ]
              }
            },
            {
              "fullUrl": "https://ehr.example/fhir/Practitioner/pr1",
              "resource": {
                "resourceType": "Practitioner",
                "id": "pr1",
                "identifier": [ { "system": "http://hl7.org/fhir/sid/us-npi", "value": "1987654328" } ],
                "name": [ { "family": "Rivera", "given": ["Maya"] } ]
              }
            }
          ]
        }
        """;

    public static string Contained(string referralId, string memberId) => $$"""
        {
          "resourceType": "ServiceRequest",
          "id": "sr2",
          "contained": [
            { "resourceType": "Patient", "id": "pat", "identifier": [ { "value": "{{memberId}}" } ] },
            { "resourceType": "Practitioner", "id": "doc", "identifier": [ { "system": "http://hl7.org/fhir/sid/us-npi", "value": "1555555550" } ],
              "name": [ { "text": "Sam Okoro" } ], "telecom": [ { "system": "email", "value": "okoro@clinic.example" } ] }
          ],
          "identifier": [ { "value": "{{referralId}}" } ],
          "status": "active",
          "intent": "order",
          "subject": { "reference": "#pat" },
          "requester": { "reference": "#doc" }
        }
        """;
}
