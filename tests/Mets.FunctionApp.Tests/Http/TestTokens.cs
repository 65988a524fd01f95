using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// Access tokens shaped like Microsoft Entra ID v2 tokens, signed with RSA keys generated for the test run. Only
/// tests make these: the app itself has no setting that accepts another key or turns a check off (the test host
/// hands the JwtBearer handler the test key as the tenant's metadata, <see cref="FunctionAppTestHost"/>).
/// </summary>
internal static class TestTokens
{
    /// <summary>Mets:Entra for the test tenant: the clinician, the supervisor and the daemon mapped to METS users.</summary>
    public static Dictionary<string, string?> EntraSettings() => new()
    {
        ["Mets:Entra:Instance"] = Instance,
        ["Mets:Entra:TenantId"] = TenantId,
        ["Mets:Entra:Audience"] = Audience,
        ["Mets:Entra:Callers:0:ObjectId"] = ClinicianObjectId,
        ["Mets:Entra:Callers:0:User"] = ClinicianUser,
        ["Mets:Entra:Callers:1:ObjectId"] = SupervisorObjectId,
        ["Mets:Entra:Callers:1:User"] = SupervisorUser,
        ["Mets:Entra:Callers:2:ClientId"] = DaemonClientId,
        ["Mets:Entra:Callers:2:User"] = DaemonUser,
        ["Mets:Entra:Callers:3:ObjectId"] = MedicalDirectorObjectId,
        ["Mets:Entra:Callers:3:User"] = MedicalDirectorUser,
    };

    public const string TenantId = "7d1c3f4e-2b6a-4c8d-9e0f-1a2b3c4d5e6f";
    public const string Instance = "https://login.test.example/";
    public const string Issuer = Instance + TenantId + "/v2.0";
    public const string Audience = "3f0c2a9e-6b7d-4e1f-8a2b-9c0d1e2f3a4b";

    /// <summary>A clinician (object id mapped to <see cref="ClinicianUser"/>).</summary>
    public const string ClinicianObjectId = "0a6f8e2c-3b1d-4c5e-8f7a-6b5c4d3e2f10";
    public const string ClinicianUser = "clinician.one";

    /// <summary>A supervisor (mapped to <see cref="SupervisorUser"/>, on the roster's supervisors).</summary>
    public const string SupervisorObjectId = "1b7f9e3d-4c2e-4d6f-9a8b-7c6d5e4f3a21";
    public const string SupervisorUser = "supervisor.one";

    /// <summary>A medical director (mapped to <see cref="MedicalDirectorUser"/>, on the roster's medical directors).</summary>
    public const string MedicalDirectorObjectId = "6a2e4d8c-9b7d-4cbe-8f30-2b1c0d9e8f76";
    public const string MedicalDirectorUser = "medical.director";

    /// <summary>A person with a valid token whom no Mets:Entra:Callers entry names.</summary>
    public const string StrangerObjectId = "2c8a0f4e-5d3f-4e7a-8b9c-8d7e6f5a4b32";

    /// <summary>A referral source's daemon app (client credentials): mapped by client id.</summary>
    public const string DaemonClientId = "4e0c2b6a-7f5b-4a9c-8d1e-0f9a8b7c6d54";
    public const string DaemonObjectId = "5f1d3c7b-8a6c-4bad-9e2f-1a0b9c8d7e65";
    public const string DaemonUser = "ehr.referrals";

    public static RsaSecurityKey SigningKey { get; } = NewKey("test-key-1");

    /// <summary>Another key with the same key id: a token it signs has a bad signature.</summary>
    public static RsaSecurityKey ForgedKey { get; } = NewKey("test-key-1");

    public static string Person(string objectId, params string[] roles) =>
        Create(new Dictionary<string, object>
        {
            ["oid"] = objectId,
            ["sub"] = "pairwise-" + objectId[..8],
            ["scp"] = "access_as_user",
            ["azp"] = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            ["name"] = "Test Person",
            ["roles"] = roles,
        });

    public static string Daemon(string clientId, string objectId, params string[] roles) =>
        Create(new Dictionary<string, object>
        {
            ["oid"] = objectId,
            ["sub"] = objectId,
            ["azp"] = clientId,
            ["idtyp"] = "app",
            ["roles"] = roles,
        });

    /// <summary>A token with every claim of <paramref name="claims"/>; the rest (issuer, audience, lifetime, key) can be spoiled one at a time.</summary>
    public static string Create(
        IDictionary<string, object> claims,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null,
        SecurityKey? key = null,
        DateTime? notBefore = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(30);
        var issued = notBefore ?? (expiry < now ? expiry.AddMinutes(-60) : now.AddMinutes(-5));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = expiry,
            Claims = new Dictionary<string, object>(claims) { ["tid"] = TenantId },
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>The same claims, unsigned (<c>alg: none</c>).</summary>
    public static string Unsigned(string objectId, params string[] roles)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddMinutes(30),
            Subject = new ClaimsIdentity([new Claim("oid", objectId), .. roles.Select(r => new Claim("roles", r))]),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static RsaSecurityKey NewKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };
}
