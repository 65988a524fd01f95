using System.ComponentModel.DataAnnotations;
using Mets.Api.Authentication;

namespace Mets.Local;

/// <summary>The local host's own settings, bound from the <c>Mets</c> section.</summary>
public sealed class LocalHostOptions
{
    public const string SectionName = "Mets";

    /// <summary>Where the local host keeps everything (relative paths are under the working directory).</summary>
    [Required(ErrorMessage = "Mets:DataFolder is required.")]
    [MinLength(1, ErrorMessage = "Mets:DataFolder must not be empty.")]
    public string DataFolder { get; set; } = "data";

    /// <summary>The user name of the API key generated on first run (the actor of its changes).</summary>
    [Required(ErrorMessage = "Mets:LocalUser is required.")]
    [RegularExpression(ApiAccessOptions.UserNamePattern, ErrorMessage = "Mets:LocalUser must be 1-64 letters, digits or . _ @ -.")]
    public string LocalUser { get; set; } = "local.user";

    /// <summary>How long in-flight requests and work may take to finish when the host stops.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Mets:ShutdownTimeout must be between {1} and {2}.")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
