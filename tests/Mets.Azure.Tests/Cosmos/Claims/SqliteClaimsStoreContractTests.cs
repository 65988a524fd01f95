using Mets.Claims.Storage;
using Mets.Claims.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>The contract on the embedded adapter: a SQLite file in a temporary folder.</summary>
public sealed class SqliteClaimsStoreContractTests(ITestOutputHelper output) : ClaimsStoreContract(output)
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-claims-contract-").FullName;

    private string DatabasePath => Path.Combine(_folder, "claims.db");

    protected override IClaimsStore OpenStore() => new SqliteClaimsStore(DatabasePath);

    /// <summary>A SQLite batch is one transaction: a crash inside it writes nothing of it, which is what a call
    /// cancelled before its first write gives.</summary>
    protected override (IClaimsStore Store, CancellationToken Crash) OpenCrashingStore(int writesBeforeCrash) =>
        (OpenStore(), new CancellationToken(canceled: true));

    protected override async Task<int> CountStagedAsync(string contentHash, IReadOnlyCollection<string> members)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM claim_versions WHERE file_hash = $h";
        command.Parameters.AddWithValue("$h", contentHash);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
