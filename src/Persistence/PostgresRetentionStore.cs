using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence;

/// <summary>
/// The retention job's deletions in PostgreSQL (migration 0013): each statement deletes one bounded batch, found through
/// an index or, for cleared grain-state rows, within one slice of the table's pages, so it holds its row locks briefly
/// and never for a whole table. Every statement is a read or a delete by a condition, so one that met a stale pooled
/// connection runs once more (<see cref="StaleConnections"/>): a repeated delete only removes rows that qualify anyway.
/// </summary>
public sealed class PostgresRetentionStore(NpgsqlDataSource db) : IRetentionStore
{
    private const string Ended = "coalesce(closed_at, rejected_at, updated_at)";

    public async Task<IReadOnlyList<string>> ClosedTicketsBeforeAsync(DateTimeOffset cutoff, int take, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand(
            $"select number from tickets where due_at is null and state in ('Closed', 'Rejected') and {Ended} < $1 order by {Ended}, number limit $2");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = take });
        var numbers = new List<string>();
        await using var reader = await StaleConnections.RetryOnceAsync(db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct)) numbers.Add(reader.GetString(0));
        return numbers;
    }

    public async Task<int> DeleteTicketRowsAsync(IReadOnlyList<string> numbers, CancellationToken ct = default)
    {
        if (numbers.Count == 0) return 0;
        await using var command = db.CreateCommand("delete from tickets where number = any($1)");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = numbers.ToArray() });
        return await StaleConnections.RetryOnceAsync(db, () => command.ExecuteNonQueryAsync(ct));
    }

    public async Task<int> DeleteResidentPassesAsync(string residentKey, int batchSize, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand(
            "delete from checkpoint_passes where id in (select id from checkpoint_passes where resident_key = $1 limit $2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = residentKey });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
        return await StaleConnections.RetryOnceAsync(db, () => command.ExecuteNonQueryAsync(ct));
    }

    // No index finds cleared rows: an index on payload or modified_at would make every grain write a non-HOT update
    // (migration 0025). The sweep reads the table once a day instead, a slice of pages per statement (a TID range scan).
    public async Task<ClearedRowsSlice> DeleteClearedGrainStateAsync(DateTimeOffset clearedBefore, long fromPage, int pages, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPage);
        ArgumentOutOfRangeException.ThrowIfLessThan(pages, 1);
        var (from, to) = ((uint)fromPage, (uint)Math.Min(fromPage + pages, uint.MaxValue));
        await using var command = db.CreateCommand("""
            with deleted as (
              delete from orleans_grain_state
               where ctid >= $2 and ctid < $3 and payload is null and modified_at < $1
              returning 1)
            select (select count(*) from deleted)::int,
                   pg_relation_size('orleans_grain_state') / current_setting('block_size')::bigint
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clearedBefore.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<NpgsqlTid> { TypedValue = new NpgsqlTid(from, 0), NpgsqlDbType = NpgsqlDbType.Tid });
        command.Parameters.Add(new NpgsqlParameter<NpgsqlTid> { TypedValue = new NpgsqlTid(to, 0), NpgsqlDbType = NpgsqlDbType.Tid });
        await using var reader = await StaleConnections.RetryOnceAsync(db, () => command.ExecuteReaderAsync(ct));
        await reader.ReadAsync(ct);
        var (deleted, tablePages) = (reader.GetInt32(0), reader.GetInt64(1));
        return new ClearedRowsSlice(deleted, to < tablePages ? to : null);
    }
}
