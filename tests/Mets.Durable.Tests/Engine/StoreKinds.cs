using Mets.Durable.Storage;

namespace Mets.Durable.Tests.Engine;

/// <summary>The stores every engine contract test runs against.</summary>
public static class StoreKinds
{
    public static TheoryData<string> All => new() { "memory", "sqlite" };

    public static IOrchestrationStore Create(string kind) => kind switch
    {
        "memory" => new InMemoryOrchestrationStore(),
        "sqlite" => Storage.SqliteOrchestrationStoreFactory.CreateTemporary(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
