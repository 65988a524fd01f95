using System.Diagnostics.CodeAnalysis;

namespace Mets.Domain.Identifiers;

/// <summary>
/// A validated value written as a plain string (identifiers, codes, addresses). Lets one JSON
/// converter serve every such type. <see cref="TryParse(string?, out TSelf, out string)"/> reports
/// why a value was refused without repeating the value itself.
/// </summary>
public interface IStringValue<TSelf>
    where TSelf : struct, IStringValue<TSelf>
{
    /// <summary>What the value is, in words, for error messages ("member id", "NPI").</summary>
    static abstract string Description { get; }

    /// <summary>The canonical string form; null only for an uninitialized (default) value.</summary>
    string Value { get; }

    static abstract bool TryParse([NotNullWhen(true)] string? value, out TSelf result, out string reason);
}
