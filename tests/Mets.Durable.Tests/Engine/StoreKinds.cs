using Mets.Durable.Storage;

namespace Mets.Durable.Tests.Engine;

/// <summary>The stores every engine contract test runs against.</summary>
public static class StoreKinds
{
    public static TheoryData<string> All => new() { "memory", "sqlite", "journal" };

    public static IOrchestrationStore Create(string kind) => kind switch
    {
        "memory" => new InMemoryOrchestrationStore(),
        "sqlite" => Storage.SqliteOrchestrationStoreFactory.CreateTemporary(),
        "journal" => new Mets.Durable.Storage.Sqlite.JournaledOrchestrationStore(Path.Combine(Directory.CreateTempSubdirectory("mets-journal-").FullName, "durable.db"), compactAfterBytes: 4096),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
