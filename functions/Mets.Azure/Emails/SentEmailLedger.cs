using Microsoft.Data.Sqlite;

namespace Mets.Azure.Emails;

/// <summary>Remembers which idempotency keys SendGrid has accepted, durably, so a retried send is not repeated.</summary>
public interface ISentEmailLedger
{
    Task<bool> WasSentAsync(string idempotencyKey, CancellationToken cancellationToken);

    Task RecordSentAsync(string idempotencyKey, DateTimeOffset sentAt, CancellationToken cancellationToken);
}

/// <summary>The sent-key ledger in a small SQLite table (one row per accepted email: key and time, no address or body).</summary>
public sealed class SqliteSentEmailLedger : ISentEmailLedger
{
    private readonly string _connectionString;
    private readonly Lazy<Task> _created;

    public SqliteSentEmailLedger(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString();
        _created = new Lazy<Task>(CreateAsync);
    }

    public async Task<bool> WasSentAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        await _created.Value;
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sent_emails WHERE idempotency_key = $key";
        command.Parameters.AddWithValue("$key", idempotencyKey);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task RecordSentAsync(string idempotencyKey, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        await _created.Value;
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO sent_emails (idempotency_key, sent_at) VALUES ($key, $at)";
        command.Parameters.AddWithValue("$key", idempotencyKey);
        command.Parameters.AddWithValue("$at", sentAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task CreateAsync()
    {
        await using var connection = await OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS sent_emails (idempotency_key TEXT PRIMARY KEY, sent_at TEXT NOT NULL)";
        await command.ExecuteNonQueryAsync();
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
