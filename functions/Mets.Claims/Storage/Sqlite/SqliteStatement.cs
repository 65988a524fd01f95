using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Mets.Claims.Storage.Sqlite;

/// <summary>
/// One prepared SQLite statement on a connection of the store, bound by position and stepped directly: the bulk
/// paths (staging claim versions, reading members back, saving analyses) run it once per row, where going through
/// <see cref="SqliteCommand"/> looks every parameter up by name and copies every value on each execution (the
/// profile of a 1,000,000-line ingest showed that bookkeeping costing more than SQLite's own work). It runs inside
/// whatever transaction the connection has open. Error messages are SQLite's (table and constraint names, never a
/// value).
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        Check(raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement));
    }

    public SqliteStatement Bind(int position, string? value)
    {
        Check(value is null ? raw.sqlite3_bind_null(_statement, position) : raw.sqlite3_bind_text(_statement, position, value));
        return this;
    }

    public SqliteStatement Bind(int position, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, position, value));
        return this;
    }

    public SqliteStatement Bind(int position, ReadOnlySpan<byte> blob)
    {
        Check(raw.sqlite3_bind_blob(_statement, position, blob));
        return this;
    }

    /// <summary>Runs a statement that returns no rows, then resets it for the next values.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
    }

    /// <summary>Steps to the next row; false (and reset) after the last one.</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }

        return false;
    }

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    public string GetString(int column) => Encoding.UTF8.GetString(raw.sqlite3_column_blob(_statement, column));

    /// <summary>The column's bytes (a text column's UTF-8), valid until the next step.</summary>
    public ReadOnlySpan<byte> GetBytes(int column) => raw.sqlite3_column_blob(_statement, column);

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_connection.Handle).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_connection.Handle));
        }
    }
}
