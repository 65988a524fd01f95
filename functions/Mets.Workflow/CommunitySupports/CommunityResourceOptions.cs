using Microsoft.Extensions.Options;

namespace Mets.Workflow.CommunitySupports;

/// <summary>Where the community-resource directory comes from, bound from <see cref="SectionName"/>.</summary>
public sealed class CommunityResourceOptions
{
    public const string SectionName = "Mets:CommunityResources";

    /// <summary>
    /// The directory CSV the plan maintains (docs/care-plan.md); a relative path is looked up in the working directory,
    /// then in the application's folder (where <c>community-resources.sample.csv</c> ships). Empty: no directory
    /// (searches find nothing). A path naming no file stops the host at start.
    /// </summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>The file the path names, or null when it names none (or is empty).</summary>
    public string? ResolvedPath()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            return null;
        }

        if (File.Exists(Path))
        {
            return System.IO.Path.GetFullPath(Path);
        }

        var inAppFolder = System.IO.Path.Combine(AppContext.BaseDirectory, Path);
        return !System.IO.Path.IsPathRooted(Path) && File.Exists(inAppFolder) ? inAppFolder : null;
    }
}

/// <summary>A path that names no file stops the host at start, naming the setting.</summary>
internal sealed class CommunityResourceOptionsValidation : IValidateOptions<CommunityResourceOptions>
{
    public ValidateOptionsResult Validate(string? name, CommunityResourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Path) || options.ResolvedPath() is not null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{CommunityResourceOptions.SectionName}:Path names no file (set it to the community-resource directory CSV, or leave it empty for none).");
    }
}

/// <summary>Loads the directory the options name (once, at start) and logs each rejected row by number and reason.</summary>
internal static partial class CommunityResourceDirectoryLoader
{
    public static CommunityResourceDirectory Load(CommunityResourceOptions options, Microsoft.Extensions.Logging.ILogger logger)
    {
        if (options.ResolvedPath() is not { } path)
        {
            return CommunityResourceDirectory.Empty;
        }

        var directory = CommunityResourceDirectory.Load(path);
        foreach (var reject in directory.Rejects)
        {
            LogRejected(logger, reject.Row, reject.Reason);
        }

        LogLoaded(logger, directory.Resources.Count, directory.Rejects.Count);
        return directory;
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Community-resource directory: row {Row} left out: {Reason}")]
    private static partial void LogRejected(Microsoft.Extensions.Logging.ILogger logger, long row, string reason);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Community-resource directory: {Count} resources loaded, {Rejected} rows left out")]
    private static partial void LogLoaded(Microsoft.Extensions.Logging.ILogger logger, int count, int rejected);
}
