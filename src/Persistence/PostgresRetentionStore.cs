using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence;

/// <summary>
/// The retention job's deletions in PostgreSQL (migration 0013): each statement deletes one bounded batch found through
/// an index, so it holds its row locks briefly and never for a whole table. Every statement is a read or a delete by a
/// condition, so one that met a stale pooled connection runs once more (<see cref="StaleConnections"/>): a repeated
/// delete only removes rows that qualify anyway.
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

    public async Task<int> DeleteClearedGrainStateAsync(DateTimeOffset clearedBefore, int batchSize, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand("""
            delete from orleans_grain_state where ctid in
              (select ctid from orleans_grain_state where payload is null and modified_at < $1 limit $2)
            and payload is null
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clearedBefore.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
        return await StaleConnections.RetryOnceAsync(db, () => command.ExecuteNonQueryAsync(ct));
    }
}
