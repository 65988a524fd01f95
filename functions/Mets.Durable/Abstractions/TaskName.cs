namespace Mets.Durable;

/// <summary>The name of an orchestrator or activity; compared case-insensitively, as in Durable.</summary>
public readonly struct TaskName : IEquatable<TaskName>
{
    public TaskName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    public string Name { get; }

    public static implicit operator TaskName(string name) => new(name);

    public static implicit operator string(TaskName name) => name.Name;

    public static bool operator ==(TaskName left, TaskName right) => left.Equals(right);

    public static bool operator !=(TaskName left, TaskName right) => !left.Equals(right);

    public static TaskName FromString(string name) => new(name);

    public bool Equals(TaskName other) => string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => obj is TaskName other && Equals(other);

    public override int GetHashCode() => Name is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Name);

    public override string ToString() => Name ?? string.Empty;
}
