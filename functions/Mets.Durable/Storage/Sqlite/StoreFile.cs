using Microsoft.Data.Sqlite;

namespace Mets.Durable.Storage.Sqlite;

/// <summary>What both SQLite stores do to their file at start: take its lock file, run their constant statements.</summary>
internal static class StoreFile
{
    /// <summary>
    /// Opens <c>{path}.lock</c> exclusively (the folder is created if missing): a second process on the same store fails
    /// here with a clear message instead of corrupting the engine's state. Dispose it to let go.
    /// </summary>
    public static FileStream TakeLock(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The durable store '{path}' is in use by another process (lock file '{path}.lock'). Stop the other host or use another data folder.", ex);
        }
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellation)
    {
        using var cmd = connection.CreateCommand();
#pragma warning disable CA2100 // constants of the stores
        cmd.CommandText = sql;
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }

    public static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellation)
    {
        using var cmd = connection.CreateCommand();
#pragma warning disable CA2100 // constants of the stores
        cmd.CommandText = sql;
#pragma warning restore CA2100
        return await cmd.ExecuteScalarAsync(cancellation).ConfigureAwait(false);
    }
}
