using System.Globalization;
using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;

namespace Mets.Workflow.Adapters.Sqlite;

/// <summary>
/// The step-command ledger in the case database (table <c>step_commands</c>, primary key engagement + step key):
/// a claim is one <c>INSERT ... ON CONFLICT DO NOTHING</c>, so of two concurrent answers to one step exactly one wins.
/// </summary>
public sealed class SqliteStepCommandLedger : IStepCommandLedger, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS step_commands (
            engagement_id TEXT NOT NULL,
            command_key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            recorded TEXT NOT NULL,
            raised INTEGER NOT NULL,
            claimed_at TEXT NOT NULL,
            PRIMARY KEY (engagement_id, command_key));
        """;

    private readonly CaseDatabase _database;
    private int _released;

    public SqliteStepCommandLedger(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _database = CaseDatabase.Use(databasePath);
    }

    /// <summary>The insert and, when it lost, the read of the recorded command are one write of the case database's writer.</summary>
    public async Task<StepCommandClaim> ClaimAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _database.EnsureSchemaAsync(Schema, cancellationToken);
        return await _database.WriteAsync(writer =>
        {
            if (writer.Statement("""
                INSERT INTO step_commands (engagement_id, command_key, fingerprint, recorded, raised, claimed_at)
                VALUES ($engagement, $key, $fingerprint, $recorded, 0, $claimedAt) ON CONFLICT DO NOTHING
                """,
                ("$engagement", engagement.Value), ("$key", command.Key), ("$fingerprint", command.Fingerprint), ("$recorded", command.Recorded),
                ("$claimedAt", command.ClaimedAt.ToString("O", CultureInfo.InvariantCulture))).ExecuteNonQuery() == 1)
            {
                return WriteResult.Keep(new StepCommandClaim(StepCommandClaimOutcome.Claimed, command));
            }

            using var reader = writer.Statement(
                "SELECT fingerprint, recorded, raised, claimed_at FROM step_commands WHERE engagement_id = $engagement AND command_key = $key",
                ("$engagement", engagement.Value), ("$key", command.Key)).ExecuteReader();
            reader.Read(); // the insert found the row in this same transaction
            var recorded = new StepCommand(command.Key, reader.GetString(0), reader.GetString(1), reader.GetInt64(2) == 1,
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
            return WriteResult.Keep(new StepCommandClaim(
                recorded.Fingerprint == command.Fingerprint ? StepCommandClaimOutcome.SameCommand : StepCommandClaimOutcome.OtherCommand, recorded));
        }, cancellationToken);
    }

    public Task MarkRaisedAsync(EngagementId engagement, string key, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE step_commands SET raised = 1 WHERE engagement_id = $engagement AND command_key = $key", cancellationToken,
            ("$engagement", engagement.Value), ("$key", key));

    public Task ReleaseAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ExecuteAsync(
            "DELETE FROM step_commands WHERE engagement_id = $engagement AND command_key = $key AND fingerprint = $fingerprint AND raised = 0",
            cancellationToken, ("$engagement", engagement.Value), ("$key", command.Key), ("$fingerprint", command.Fingerprint));
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await _database.EnsureSchemaAsync(Schema, cancellationToken);
        await _database.WriteAsync(writer => WriteResult.Keep(writer.Statement(sql, parameters).ExecuteNonQuery()), cancellationToken);
    }

    /// <summary>Gives back this ledger's use of the case database (its connections close once no store or ledger uses the file).</summary>
    public void Dispose() => _database.Release(ref _released);
}
