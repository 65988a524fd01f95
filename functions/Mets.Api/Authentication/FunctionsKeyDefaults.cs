namespace Mets.Api.Authentication;

/// <summary>Names of the key scheme, its roles and the two authorization policies.</summary>
public static class FunctionsKeyDefaults
{
    public const string AuthenticationScheme = "FunctionsKey";

    /// <summary>The header carrying the key (Azure Functions convention).</summary>
    public const string HeaderName = "x-functions-key";

    /// <summary>The query parameter carrying the key when the header is absent.</summary>
    public const string QueryName = "code";

    /// <summary>Role of a caller who presented one of <c>Mets:ApiKeys</c>.</summary>
    public const string UserRole = "api-user";

    /// <summary>Role of a caller who presented <c>Mets:AdminKey</c>.</summary>
    public const string AdminRole = "admin";

    /// <summary>Policy of every API route (and the fallback for any route that names none).</summary>
    public const string UserPolicy = "mets-api-user";

    /// <summary>Policy of the management routes under /runtime/webhooks/durabletask.</summary>
    public const string AdminPolicy = "mets-admin";
}
