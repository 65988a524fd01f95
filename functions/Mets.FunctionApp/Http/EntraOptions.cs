using System.ComponentModel.DataAnnotations;
using Mets.Api.Authentication;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Http;

/// <summary>
/// Who may call the function app's API: Microsoft Entra ID access tokens (v2) issued by one tenant for one API,
/// bound from <c>Mets:Entra</c>. The token's issuer must be <see cref="Issuer"/> (<c>{Instance}{TenantId}/v2.0</c>),
/// its audience <see cref="Audience"/>, its signature one of the tenant's keys from the OpenID metadata of
/// <see cref="Authority"/>, and it must be within its lifetime. <see cref="Callers"/> maps each caller to the METS user
/// recorded in timelines, as <c>Mets:ApiKeys</c> does for the local host's keys.
/// </summary>
public sealed class EntraOptions : IValidatableObject
{
    public const string SectionName = "Mets:Entra";

    public const string PublicCloudInstance = "https://login.microsoftonline.com/";

    /// <summary>The Entra ID sign-in host (<c>Mets:Entra:Instance</c>); the public cloud unless a national cloud is used.</summary>
    public string Instance { get; set; } = PublicCloudInstance;

    /// <summary>The directory (tenant) id, a GUID (<c>Mets:Entra:TenantId</c>).</summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// The API's audience (<c>Mets:Entra:Audience</c>): the client id of the METS API app registration, which is what v2
    /// access tokens carry in <c>aud</c> (the registration's manifest sets <c>requestedAccessTokenVersion</c> to 2).
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>Callers mapped to METS users (<c>Mets:Entra:Callers:N:ObjectId</c> or <c>:ClientId</c>, and <c>:User</c>).</summary>
    public IList<EntraCaller> Callers { get; } = [];

    /// <summary>The tenant's v2.0 authority; its OpenID metadata lists the signing keys.</summary>
    public string Authority => $"{Instance.TrimEnd('/')}/{TenantId}/v2.0";

    /// <summary>The only issuer accepted: the tenant's v2.0 issuer.</summary>
    public string Issuer => Authority;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Instance, UriKind.Absolute, out var instance) || instance.Scheme != Uri.UriSchemeHttps
            || instance.AbsolutePath.Trim('/').Length > 0 || !string.IsNullOrEmpty(instance.Query))
        {
            yield return new ValidationResult($"{SectionName}:Instance must be the https address of the Entra ID sign-in host (e.g. {PublicCloudInstance}).", [nameof(Instance)]);
        }

        if (string.IsNullOrWhiteSpace(TenantId))
        {
            yield return new ValidationResult($"{SectionName}:TenantId is required (the directory (tenant) id of the METS app registration, a GUID).", [nameof(TenantId)]);
        }
        else if (!Guid.TryParse(TenantId, out var tenant) || tenant == Guid.Empty)
        {
            yield return new ValidationResult($"{SectionName}:TenantId must be the directory (tenant) id, a GUID.", [nameof(TenantId)]);
        }

        if (string.IsNullOrWhiteSpace(Audience))
        {
            yield return new ValidationResult($"{SectionName}:Audience is required (the client id of the METS API app registration, the aud of its v2 access tokens).", [nameof(Audience)]);
        }

        if (Callers.Count == 0)
        {
            yield return new ValidationResult($"{SectionName}:Callers must map at least one caller ({SectionName}:Callers:0:ObjectId or :ClientId, and {SectionName}:Callers:0:User).", [nameof(Callers)]);
        }

        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Callers.Count; i++)
        {
            foreach (var problem in Callers[i].Problems($"{SectionName}:Callers:{i}"))
            {
                yield return new ValidationResult(problem, [nameof(Callers)]);
            }

            if (Callers[i].Key is { } key && !keys.Add(key))
            {
                yield return new ValidationResult($"{SectionName}:Callers:{i} maps a caller that an earlier entry already maps; every ObjectId and ClientId must be listed once.", [nameof(Callers)]);
            }
        }
    }
}

/// <summary>Reports every problem of <c>Mets:Entra</c> at once, each message naming its setting.</summary>
internal sealed class EntraOptionsValidation : IValidateOptions<EntraOptions>
{
    public ValidateOptionsResult Validate(string? name, EntraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage ?? $"{EntraOptions.SectionName} is not valid.").ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>
/// One caller and the METS user it stands for. <see cref="ObjectId"/> (the token's <c>oid</c>) maps a person or an
/// application's service principal; <see cref="ClientId"/> (the token's <c>azp</c>/<c>appid</c>) maps a daemon
/// application calling with its own credentials (app-only tokens only: a person's token names the client app they
/// used, which must never make them that app's user).
/// </summary>
public sealed class EntraCaller
{
    public string? ObjectId { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The METS user name (a staff id for staff: step commands record it as the actor).</summary>
    public string User { get; set; } = string.Empty;

    internal string? Key => !string.IsNullOrWhiteSpace(ObjectId) ? "oid:" + ObjectId.Trim() : !string.IsNullOrWhiteSpace(ClientId) ? "client:" + ClientId.Trim() : null;

    internal IEnumerable<string> Problems(string prefix)
    {
        var hasObject = !string.IsNullOrWhiteSpace(ObjectId);
        var hasClient = !string.IsNullOrWhiteSpace(ClientId);
        if (hasObject == hasClient)
        {
            yield return $"{prefix} must have exactly one of ObjectId (a person or service principal) and ClientId (a daemon application).";
        }

        if (hasObject && !IsGuid(ObjectId))
        {
            yield return $"{prefix}:ObjectId must be an object id (a GUID).";
        }

        if (hasClient && !IsGuid(ClientId))
        {
            yield return $"{prefix}:ClientId must be an application (client) id (a GUID).";
        }

        if (string.IsNullOrWhiteSpace(User))
        {
            yield return $"{prefix}:User is required.";
        }
        else if (!System.Text.RegularExpressions.Regex.IsMatch(User, ApiAccessOptions.UserNamePattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            yield return $"{prefix}:User must be 1-64 letters, digits or . _ @ -.";
        }
    }

    private static bool IsGuid(string? value) => Guid.TryParse(value, out var guid) && guid != Guid.Empty;
}
