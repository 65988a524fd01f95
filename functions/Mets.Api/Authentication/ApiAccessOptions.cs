using System.ComponentModel.DataAnnotations;

namespace Mets.Api.Authentication;

/// <summary>
/// Who may call the API: the keys accepted in the <c>x-functions-key</c> header or <c>code</c> query
/// (Azure Functions convention), each mapped to a user name, and the separate admin key that alone
/// opens the management routes. Bound from the <c>Mets</c> section (<c>Mets:ApiKeys:0:Key</c>,
/// <c>Mets:ApiKeys:0:User</c>, <c>Mets:AdminKey</c>).
/// </summary>
public sealed class ApiAccessOptions : IValidatableObject
{
    public const string SectionName = "Mets";

    public const int MinimumKeyLength = 24;

    public const string UserNamePattern = "^[A-Za-z0-9._@-]{1,64}$";

    public IList<ApiKeyEntry> ApiKeys { get; } = [];

    [Required(ErrorMessage = "Mets:AdminKey is required.")]
    [MinLength(MinimumKeyLength, ErrorMessage = "Mets:AdminKey must be at least {1} characters long.")]
    public string? AdminKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ApiKeys.Count == 0)
        {
            yield return new ValidationResult("Mets:ApiKeys must hold at least one key (Mets:ApiKeys:0:Key and Mets:ApiKeys:0:User).", [nameof(ApiKeys)]);
        }

        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(ApiKeys[i], new ValidationContext(ApiKeys[i]), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult(result.ErrorMessage?.Replace(":N:", $":{i}:", StringComparison.Ordinal), [nameof(ApiKeys)]);
            }
        }

        var keys = ApiKeys.Select(k => k.Key).Where(k => !string.IsNullOrEmpty(k)).ToList();
        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            yield return new ValidationResult("Mets:ApiKeys holds the same key twice; every key must be distinct.", [nameof(ApiKeys)]);
        }

        if (AdminKey is not null && keys.Contains(AdminKey, StringComparer.Ordinal))
        {
            yield return new ValidationResult("Mets:AdminKey must differ from every key in Mets:ApiKeys.", [nameof(AdminKey)]);
        }
    }
}
