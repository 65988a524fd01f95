using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Mets.FunctionApp.Http;

/// <summary>The scheme, app roles and policies of the function app's Entra ID access tokens.</summary>
public static class EntraDefaults
{
    /// <summary>The JwtBearer scheme that validates the tokens.</summary>
    public const string AuthenticationScheme = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>How the METS actor identity of a token's caller was verified (<c>Mets.Api.Authentication.ActorIdentity</c>).</summary>
    public const string ActorMethod = "EntraId";

    /// <summary>The claim carrying app roles in Entra ID access tokens.</summary>
    public const string RoleClaimType = "roles";

    public const string Clinician = "Clinician";

    public const string Supervisor = "Supervisor";

    public const string MedicalDirector = "MedicalDirector";

    /// <summary>A referral source (an EHR or a partner's daemon with client credentials): referral submission only.</summary>
    public const string ReferralSource = "ReferralSource";

    /// <summary>Every /api route: one of the staff roles.</summary>
    public const string StaffPolicy = "mets-entra-staff";

    /// <summary>Referral submission (JSON and FHIR): a staff role or <see cref="ReferralSource"/>.</summary>
    public const string ReferralSubmitterPolicy = "mets-entra-referral-submitter";

    internal static readonly string[] StaffRoles = [Clinician, Supervisor, MedicalDirector];
}
