using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence;

/// <summary>
/// The audit trail in PostgreSQL's audit_log table. Entries are written in batches (one multi-row COPY per
/// round trip: group commit), and <see cref="RecordAsync"/> completes only once its batch has committed,
/// so an access that returned data is always on record.
/// </summary>
/// <remarks>
/// Each batch is written as <see cref="WriterRole"/> (SET ROLE), a role that may only insert (migration 0012), and a
/// trigger refuses UPDATE, DELETE and TRUNCATE for everyone: nothing in this class or anywhere else changes an entry.
/// </remarks>
public sealed partial class PostgresAuditLog : IAuditLog, IAsyncDisposable
{
    /// <summary>The database role that writes the trail: INSERT on audit_log and nothing else.</summary>
    public const string WriterRole = "sanmenxia_audit_writer";

    private readonly NpgsqlDataSource _db;
    private readonly GroupCommitQueue<AuditEntry> _queue;
    private readonly ILogger<PostgresAuditLog> _logger;
    // Null until the first batch finds out whether this connection's user may become the writer role.
    private bool? _writerRoleUsable;

    public PostgresAuditLog(NpgsqlDataSource db, ILogger<PostgresAuditLog> logger)
    {
        _db = db;
        _logger = logger;
        // A COPY is not repeatable (a committed batch would be stored twice): a stale connection clears the pool, no retry.
        _queue = new GroupCommitQueue<AuditEntry>("Audit log", 50_000, 5_000, b => StaleConnections.ClearOnFailureAsync(_db, () => WriteBatchAsync(b)), logger);
    }

    public Task RecordAsync(AuditEntry entry, CancellationToken ct = default) => _queue.WriteAsync(entry, ct);

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct = default)
    {
        await using var command = _db.CreateCommand("""
            select at, actor_id, actor_role, action, subject_key, region_code, detail->>'text'
            from audit_log
            where ($1::text is null or subject_key = $1) and ($2::text is null or actor_id = $2)
              and ($3::timestamptz is null or at >= $3) and ($4::timestamptz is null or at < $4)
              and ($7::text is null or starts_with(region_code, $7))
            order by at desc, id desc offset $5 limit $6
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)query.SubjectKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)query.ActorId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)query.From?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)query.To?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = query.Skip });
        command.Parameters.Add(new NpgsqlParameter { Value = query.Take });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)query.RegionPrefix ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var results = new List<AuditEntry>();
        await using var reader = await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct))
            results.Add(new AuditEntry(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        return results;
    }

    private async Task WriteBatchAsync(IReadOnlyList<AuditEntry> batch)
    {
        await using var connection = await _db.OpenConnectionAsync();
        var asWriter = await BecomeWriterAsync(connection);
        try
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "copy audit_log (at, actor_id, actor_role, action, subject_key, region_code, detail) from stdin (format binary)");
            foreach (var entry in batch)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(entry.At.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(entry.ActorId, NpgsqlDbType.Text);
                await copy.WriteAsync(entry.ActorRole, NpgsqlDbType.Text);
                await copy.WriteAsync(entry.Action, NpgsqlDbType.Text);
                await WriteNullable(copy, entry.SubjectKey, NpgsqlDbType.Text);
                await WriteNullable(copy, entry.RegionCode, NpgsqlDbType.Text);
                await WriteNullable(copy, entry.Detail is null ? null : System.Text.Json.JsonSerializer.Serialize(new { text = entry.Detail }), NpgsqlDbType.Jsonb);
            }
            await copy.CompleteAsync();
        }
        finally
        {
            // Pooled connections are not reset when returned (No Reset On Close, PostgresServiceCollectionExtensions): the
            // role must never outlive this batch, whether the copy succeeded or not. A broken connection is not pooled again.
            if (asWriter && connection.State == System.Data.ConnectionState.Open)
            {
                await using var reset = new NpgsqlCommand("reset role", connection);
                await reset.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>
    /// Switches the connection to <see cref="WriterRole"/>. A database whose migrating user could not create the role
    /// is written as the application's user (the append-only trigger still holds); said once in the log.
    /// </summary>
    private async Task<bool> BecomeWriterAsync(NpgsqlConnection connection)
    {
        if (_writerRoleUsable == false) return false;
        try
        {
            await using var set = new NpgsqlCommand($"set role {WriterRole}", connection);
            await set.ExecuteNonQueryAsync();
            _writerRoleUsable = true;
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedObject or PostgresErrorCodes.InsufficientPrivilege)
        {
            _writerRoleUsable = false;
            _logger.LogWarning("The audit trail is written as the application's database user: {Role} is not usable ({Reason})", WriterRole, ex.MessageText);
            return false;
        }
    }

    private static async Task WriteNullable(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
    {
        if (value is null) await copy.WriteNullAsync(); else await copy.WriteAsync(value, type);
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
    }
}
