using System.ComponentModel.DataAnnotations;

namespace Mets.Api.Authentication;

/// <summary>One API key and the user name it stands for (recorded as the actor of every change made with it).</summary>
public sealed class ApiKeyEntry
{
    [Required(ErrorMessage = "Mets:ApiKeys:N:Key is required.")]
    [MinLength(ApiAccessOptions.MinimumKeyLength, ErrorMessage = "Mets:ApiKeys:N:Key must be at least {1} characters long.")]
    public string Key { get; set; } = string.Empty;

    [Required(ErrorMessage = "Mets:ApiKeys:N:User is required.")]
    [RegularExpression(ApiAccessOptions.UserNamePattern, ErrorMessage = "Mets:ApiKeys:N:User must be 1-64 letters, digits or . _ @ -.")]
    public string User { get; set; } = string.Empty;
}
