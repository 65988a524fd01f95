namespace Mets.Local.Tests.Hosting;

/// <summary>Every test that starts a host process runs in this one non-parallel collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostProcessGroup
{
    public const string Name = "host processes";
}
