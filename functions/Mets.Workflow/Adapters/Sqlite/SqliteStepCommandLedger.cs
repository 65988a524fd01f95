using System.Globalization;
using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;
using Microsoft.Data.Sqlite;

namespace Mets.Workflow.Adapters.Sqlite;

/// <summary>
/// The step-command ledger in the case database (table <c>step_commands</c>, primary key engagement + step key):
/// a claim is one <c>INSERT ... ON CONFLICT DO NOTHING</c>, so of two concurrent answers to one step exactly one wins.
/// </summary>
public sealed class SqliteStepCommandLedger : IStepCommandLedger
{
    private const string Schema = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS step_commands (
            engagement_id TEXT NOT NULL,
            command_key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            recorded TEXT NOT NULL,
            raised INTEGER NOT NULL,
            claimed_at TEXT NOT NULL,
            PRIMARY KEY (engagement_id, command_key));
        """;

    private readonly string _connectionString;
    private readonly Lazy<Task> _created;

    public SqliteStepCommandLedger(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        if (Path.GetDirectoryName(Path.GetFullPath(databasePath)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true, DefaultTimeout = 30 }.ToString();
        _created = new Lazy<Task>(() => ExecuteAsync(Schema, CancellationToken.None));
    }

    public async Task<StepCommandClaim> ClaimAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _created.Value;
        await using var connection = await OpenAsync(cancellationToken);
        await using (var insert = Command(connection, """
            INSERT INTO step_commands (engagement_id, command_key, fingerprint, recorded, raised, claimed_at)
            VALUES ($engagement, $key, $fingerprint, $recorded, 0, $claimedAt) ON CONFLICT DO NOTHING
            """,
            ("$engagement", engagement.Value), ("$key", command.Key), ("$fingerprint", command.Fingerprint), ("$recorded", command.Recorded),
            ("$claimedAt", command.ClaimedAt.ToString("O", CultureInfo.InvariantCulture))))
        {
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return new StepCommandClaim(StepCommandClaimOutcome.Claimed, command);
            }
        }

        await using var select = Command(connection,
            "SELECT fingerprint, recorded, raised, claimed_at FROM step_commands WHERE engagement_id = $engagement AND command_key = $key",
            ("$engagement", engagement.Value), ("$key", command.Key));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            // released between the insert and this read: the step is open again
            return await ClaimAsync(engagement, command, cancellationToken);
        }

        var recorded = new StepCommand(command.Key, reader.GetString(0), reader.GetString(1), reader.GetInt64(2) == 1,
            DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        return new StepCommandClaim(
            recorded.Fingerprint == command.Fingerprint ? StepCommandClaimOutcome.SameCommand : StepCommandClaimOutcome.OtherCommand, recorded);
    }

    public async Task MarkRaisedAsync(EngagementId engagement, string key, CancellationToken cancellationToken = default)
    {
        await _created.Value;
        await ExecuteAsync("UPDATE step_commands SET raised = 1 WHERE engagement_id = $engagement AND command_key = $key", cancellationToken,
            ("$engagement", engagement.Value), ("$key", key));
    }

    public async Task ReleaseAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _created.Value;
        await ExecuteAsync(
            "DELETE FROM step_commands WHERE engagement_id = $engagement AND command_key = $key AND fingerprint = $fingerprint AND raised = 0",
            cancellationToken, ("$engagement", engagement.Value), ("$key", command.Key), ("$fingerprint", command.Fingerprint));
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

#pragma warning disable CA2100 // Statements are constants of this class; values always go in as parameters.
    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
#pragma warning restore CA2100
}
