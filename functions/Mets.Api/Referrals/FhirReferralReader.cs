using System.Text.Json;
using System.Text.Unicode;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Mets.Api.Problems;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Api.Referrals;

/// <summary>
/// Reads a FHIR R4 referral (Firely SDK): a <c>Bundle</c> holding a <c>ServiceRequest</c> with its
/// <c>Patient</c> (subject) and <c>Practitioner</c>/<c>PractitionerRole</c> (requester, performers), or a
/// lone <c>ServiceRequest</c> with those resources contained. Mapping:
/// <list type="bullet">
/// <item>referral id: <c>ServiceRequest.identifier[0].value</c>, else <c>ServiceRequest.id</c>;</item>
/// <item>member id: the Patient identifier typed <c>MB</c> (else the first), written <c>PAYER:NUMBER</c> or with the payer code in <c>identifier.assigner.display</c>;</item>
/// <item>diagnoses: <c>ServiceRequest.reasonCode</c> codings in <c>http://hl7.org/fhir/sid/icd-10-cm</c>;</item>
/// <item>urgency: <c>priority</c> urgent/asap/stat = Urgent, else Routine;</item>
/// <item>treating providers: requester and performers; NPI from the <c>http://hl7.org/fhir/sid/us-npi</c> identifier, email from
/// <c>telecom</c> (role first, then practitioner), role from a PractitionerRole code naming a METS provider role (default BehavioralHealth);</item>
/// <item>42 CFR Part 2 consent: the boolean extension <see cref="ConsentExtensionUrl"/> on the ServiceRequest.</item>
/// </list>
/// Every problem is reported at a FHIR path; no message repeats a submitted value.
/// </summary>
public static class FhirReferralReader
{
    public const string IcdSystem = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string NpiSystem = "http://hl7.org/fhir/sid/us-npi";
    public const string ConsentExtensionUrl = "https://mets.example.org/fhir/StructureDefinition/consent-to-share-substance-use";

    public sealed record Result(Referral? Referral, FieldErrors Errors);

    public static Result Read(ReadOnlySpan<byte> json, DateTimeOffset receivedAt)
    {
        var errors = new FieldErrors();
        if (!Utf8.IsValid(json))
        {
            errors.Add("$", "is not valid UTF-8 text (FHIR JSON must be UTF-8).");
            return new Result(null, errors);
        }

        Resource? resource;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
            var deserializer = new FhirJsonDeserializer(new DeserializerSettings());
            if (!deserializer.TryDeserializeResource(ref reader, out resource, out var issues))
            {
                var codes = issues.Select(i => i.ErrorCode).Distinct(StringComparer.Ordinal).Take(5);
                errors.Add("$", $"is not a valid FHIR R4 JSON resource (issues: {string.Join(", ", codes)}).");
                return new Result(null, errors);
            }
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException or ArgumentException
            or Hl7.Fhir.Utility.CodedException)
        {
            // CodedException: Firely throws its validation exceptions for some shapes instead of reporting issues
            // (a number where an array of resources belongs, e.g. "contained": 1e60).
            errors.Add("$", "is not valid FHIR R4 JSON.");
            return new Result(null, errors);
        }

        var resolver = resource switch
        {
            Bundle bundle => Resolver.ForBundle(bundle, errors),
            ServiceRequest request => Resolver.ForContained(request),
            _ => null,
        };
        if (resolver is null)
        {
            errors.Add("$.resourceType", "must be Bundle or ServiceRequest.");
            return new Result(null, errors);
        }

        if (resolver.ServiceRequest is not { } serviceRequest)
        {
            errors.Add("$.Bundle.entry", "must hold exactly one ServiceRequest.");
            return new Result(null, errors);
        }

        var referral = Map(serviceRequest, resolver, receivedAt, errors);
        return new Result(errors.IsEmpty ? referral : null, errors);
    }

    private static Referral? Map(ServiceRequest request, Resolver resolver, DateTimeOffset receivedAt, FieldErrors errors)
    {
        var idText = request.Identifier.FirstOrDefault(i => !string.IsNullOrWhiteSpace(i.Value))?.Value ?? request.Id;
        var idOk = ReferralId.TryParse(idText, out var referralId, out var idReason);
        if (!idOk)
        {
            errors.Add("$.ServiceRequest.identifier", $"must hold the referral id ({idReason}).");
        }

        MemberId member = default;
        var memberOk = false;
        if (resolver.Resolve(request.Subject) is not Patient patient)
        {
            errors.Add("$.ServiceRequest.subject", "must reference the Patient (in the Bundle or contained).");
        }
        else
        {
            memberOk = TryMember(patient, out member, errors);
        }

        var diagnoses = new List<IcdCode>();
        for (var i = 0; i < request.ReasonCode.Count; i++)
        {
            foreach (var coding in request.ReasonCode[i].Coding.Where(c => c.System == IcdSystem))
            {
                if (IcdCode.TryParse(coding.Code, out var code, out var reason))
                {
                    if (!diagnoses.Contains(code))
                    {
                        diagnoses.Add(code);
                    }
                }
                else
                {
                    errors.Add($"$.ServiceRequest.reasonCode[{i}]", $"must be an ICD-10-CM code ({reason}).");
                }
            }
        }

        errors.Require(diagnoses.Count <= Referral.MaxDiagnoses, "$.ServiceRequest.reasonCode", $"must hold at most {Referral.MaxDiagnoses} ICD-10-CM codes.");
        var providers = Providers(request, resolver, errors);
        var urgency = request.Priority is RequestPriority.Urgent or RequestPriority.Asap or RequestPriority.Stat
            ? ReferralUrgency.Urgent
            : ReferralUrgency.Routine;
        var consent = request.GetExtension(ConsentExtensionUrl)?.Value is FhirBoolean { Value: true };
        if (!idOk || !memberOk || !errors.IsEmpty)
        {
            return null;
        }

        return new Referral(referralId, member, ReferralSource.TreatingProvider, ReferralReason.ClinicalConcern, null, diagnoses, urgency,
            SafetyConcern: false, consent, providers, receivedAt);
    }

    private static bool TryMember(Patient patient, out MemberId member, FieldErrors errors)
    {
        member = default;
        var identifier = patient.Identifier.FirstOrDefault(i => i.Type?.Coding.Any(c => c.Code == "MB") == true)
            ?? patient.Identifier.FirstOrDefault();
        if (identifier is null || string.IsNullOrWhiteSpace(identifier.Value))
        {
            errors.Add("$.Patient.identifier", "must hold the member id (type MB), written PAYER:NUMBER or with the payer code in assigner.display.");
            return false;
        }

        var ok = identifier.Value.Contains(MemberId.Separator, StringComparison.Ordinal)
            ? MemberId.TryParse(identifier.Value, out member, out var reason)
            : MemberId.TryCreate(identifier.Assigner?.Display, identifier.Value, out member, out reason);
        if (!ok)
        {
            errors.Add("$.Patient.identifier", $"must be a member id ({reason}).");
        }

        return ok;
    }

    private static List<TreatingProvider> Providers(ServiceRequest request, Resolver resolver, FieldErrors errors)
    {
        var providers = new List<TreatingProvider>();
        var references = new List<(string Path, ResourceReference Reference)>();
        if (request.Requester is not null)
        {
            references.Add(("$.ServiceRequest.requester", request.Requester));
        }

        references.AddRange(request.Performer.Select((p, i) => ($"$.ServiceRequest.performer[{i}]", p)));
        if (references.Count == 0)
        {
            errors.Add("$.ServiceRequest.requester", "must reference the treating Practitioner or PractitionerRole.");
            return providers;
        }

        foreach (var (path, reference) in references)
        {
            var resolved = resolver.Resolve(reference);
            var role = resolved as PractitionerRole;
            var practitioner = resolved as Practitioner ?? (role is null ? null : resolver.Resolve(role.Practitioner) as Practitioner);
            if (role is null && practitioner is null)
            {
                errors.Add(path, "must reference a Practitioner or PractitionerRole (in the Bundle or contained).");
                continue;
            }

            var npiText = practitioner?.Identifier.FirstOrDefault(i => i.System == NpiSystem)?.Value
                ?? role?.Identifier.FirstOrDefault(i => i.System == NpiSystem)?.Value;
            var npiOk = Npi.TryParse(npiText, out var npi, out var npiReason);
            if (!npiOk)
            {
                errors.Add(path, $"must lead to a Practitioner identifier in {NpiSystem} ({npiReason}).");
            }

            var emailText = (role?.Telecom ?? []).Concat(practitioner?.Telecom ?? [])
                .FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Email && !string.IsNullOrWhiteSpace(t.Value))?.Value;
            var emailOk = Email.TryParse(emailText, out var email, out var emailReason);
            if (!emailOk)
            {
                errors.Add(path, $"must lead to an email telecom ({emailReason}).");
            }

            var name = practitioner?.Name.FirstOrDefault() is { } human
                ? (string.IsNullOrWhiteSpace(human.Text) ? string.Join(' ', human.Given.Append(human.Family).Where(n => !string.IsNullOrWhiteSpace(n))) : human.Text)
                : null;
            if (string.IsNullOrWhiteSpace(name) || name.Length > TreatingProvider.MaxNameLength)
            {
                errors.Add(path, $"must lead to a Practitioner name of 1 to {TreatingProvider.MaxNameLength} characters.");
                continue;
            }

            if (npiOk && emailOk && providers.All(p => p.Npi != npi))
            {
                providers.Add(new TreatingProvider(name.Trim(), npi, email, RoleOf(role)));
            }
        }

        errors.Require(providers.Count <= Referral.MaxTreatingProviders, "$.ServiceRequest.performer", $"must name at most {Referral.MaxTreatingProviders} providers.");
        return providers;
    }

    private static ProviderRole RoleOf(PractitionerRole? role)
    {
        var codes = role?.Code.SelectMany(c => c.Coding).Select(c => c.Code) ?? [];
        foreach (var code in codes)
        {
            if (Enum.TryParse<ProviderRole>(code, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(code, out _))
            {
                return parsed;
            }
        }

        return ProviderRole.BehavioralHealth;
    }

    /// <summary>Finds referenced resources in a Bundle (by fullUrl or Type/id) or among a ServiceRequest's contained resources (#id).</summary>
    private sealed class Resolver
    {
        private readonly List<(string? FullUrl, Resource Resource)> _resources;

        private Resolver(ServiceRequest? serviceRequest, List<(string? FullUrl, Resource Resource)> resources)
        {
            ServiceRequest = serviceRequest;
            _resources = resources;
        }

        public ServiceRequest? ServiceRequest { get; }

        public static Resolver ForBundle(Bundle bundle, FieldErrors errors)
        {
            var resources = bundle.Entry.Where(e => e.Resource is not null).Select(e => (FullUrl: (string?)e.FullUrl, Resource: e.Resource!)).ToList();
            var requests = resources.Select(r => r.Resource).OfType<ServiceRequest>().ToList();
            if (requests.Count > 1)
            {
                errors.Add("$.Bundle.entry", "must hold exactly one ServiceRequest.");
            }

            // Resources contained in the ServiceRequest resolve too.
            var request = requests.Count == 1 ? requests[0] : null;
            resources.AddRange((request?.Contained ?? []).Select(c => ((string?)("#" + c.Id), c)));
            return new Resolver(request, resources);
        }

        public static Resolver ForContained(ServiceRequest request) =>
            new(request, [.. request.Contained.Select(c => ((string?)("#" + c.Id), c))]);

        public Resource? Resolve(ResourceReference? reference)
        {
            var text = reference?.Reference;
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            foreach (var (fullUrl, resource) in _resources)
            {
                if (string.Equals(fullUrl, text, StringComparison.Ordinal)
                    || string.Equals($"{resource.TypeName}/{resource.Id}", text, StringComparison.Ordinal)
                    || (fullUrl is not null && fullUrl.EndsWith("/" + text, StringComparison.Ordinal)))
                {
                    return resource;
                }
            }

            return null;
        }
    }
}
