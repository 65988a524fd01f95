using Mets.Durable.Storage.Sqlite;

namespace Mets.Durable.Tests.Storage;

internal static class SqliteOrchestrationStoreFactory
{
    /// <summary>A SQLite store on a fresh file in a temporary folder (left for the OS to clean).</summary>
    public static SqliteOrchestrationStore CreateTemporary() =>
        new(Path.Combine(Directory.CreateTempSubdirectory("mets-durable-").FullName, "durable.db"));
}
