namespace Mets.Workflow.Tests.OnMicrosoftRuntime;

/// <summary>
/// One <see cref="InProcessTestHostRuntime"/> for the whole collection (its start binds a random port and takes a
/// second or two). Tests in the collection share its case store and outbox: each uses its own member.
/// </summary>
public sealed class MicrosoftRuntimeFixture : IAsyncLifetime
{
    private InProcessTestHostRuntime? _runtime;

    internal InProcessTestHostRuntime Runtime => _runtime ?? throw new InvalidOperationException("The in-process test host is not started.");

    public async Task InitializeAsync() => _runtime = await InProcessTestHostRuntime.StartAsync();

    public async Task DisposeAsync()
    {
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
    }
}

/// <summary>
/// Tests on real time: they run alone (no other test class in parallel), so a busy machine cannot take the
/// seconds between the policy's moments.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MicrosoftRuntimeGroup : ICollectionFixture<MicrosoftRuntimeFixture>
{
    public const string Name = "METS lifecycle on Microsoft's runtime (real time)";
}
