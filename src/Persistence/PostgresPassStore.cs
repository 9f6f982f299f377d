using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Checkpoints;
using Sanmenxia.Platform.Stores;
using Sanmenxia.HealthCode;

namespace Sanmenxia.Persistence;

/// <summary>
/// Pass records in PostgreSQL's checkpoint_passes table. As <see cref="PostgresAuditLog"/>: rows from every checkpoint
/// are written in batches (one binary COPY per round trip: group commit), and <see cref="AppendAsync"/> completes
/// only once its batch has committed, so a checkpoint counts a pass only when the row is durable.
/// </summary>
public sealed class PostgresPassStore : IPassStore, IAsyncDisposable
{
    private const string Columns = "pass_id, checkpoint_id, region_code, resident_key, masked_name, direction, at, colour_seen, outcome, reason_code, staff, method, duplicate_of, client_id, review, temperature";
    private readonly NpgsqlDataSource _db;
    private readonly GroupCommitQueue<PassRecord> _queue;

    public PostgresPassStore(NpgsqlDataSource db, ILogger<PostgresPassStore> logger)
    {
        _db = db;
        // A COPY is not repeatable (a committed batch would be stored twice): a stale connection clears the pool, no retry.
        _queue = new GroupCommitQueue<PassRecord>("Checkpoint passes", 50_000, 5_000, b => StaleConnections.ClearOnFailureAsync(_db, () => WriteBatchAsync(b)), logger);
    }

    public Task AppendAsync(PassRecord pass, CancellationToken ct = default) => _queue.WriteAsync(pass, ct);

    private async Task WriteBatchAsync(IReadOnlyList<PassRecord> batch)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using (var copy = await connection.BeginBinaryImportAsync($"copy checkpoint_passes ({Columns}) from stdin (format binary)"))
        {
            foreach (var p in batch)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(p.PassId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(p.CheckpointId, NpgsqlDbType.Text);
                await copy.WriteAsync(p.RegionCode, NpgsqlDbType.Text);
                await copy.WriteAsync(p.ResidentKey, NpgsqlDbType.Text);
                await copy.WriteAsync(p.MaskedName, NpgsqlDbType.Text);
                await copy.WriteAsync(p.Direction.ToString(), NpgsqlDbType.Text);
                await copy.WriteAsync(p.At.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(p.ColourSeen.ToString(), NpgsqlDbType.Text);
                await copy.WriteAsync(p.Outcome.ToString(), NpgsqlDbType.Text);
                await copy.WriteAsync(p.ReasonCode, NpgsqlDbType.Text);
                await copy.WriteAsync(p.Staff, NpgsqlDbType.Text);
                await copy.WriteAsync(p.Method.ToString(), NpgsqlDbType.Text);
                if (p.DuplicateOf is { } first) await copy.WriteAsync(first, NpgsqlDbType.Uuid); else await copy.WriteNullAsync();
                if (p.ClientId is { } clientId) await copy.WriteAsync(clientId, NpgsqlDbType.Uuid); else await copy.WriteNullAsync();
                if (p.Review != PassReview.None) await copy.WriteAsync(p.Review.ToString(), NpgsqlDbType.Text); else await copy.WriteNullAsync();
                if (p.Temperature is { } temperature) await copy.WriteAsync(temperature, NpgsqlDbType.Numeric); else await copy.WriteNullAsync();
            }
            await copy.CompleteAsync();
        }
    }

    /// <summary>
    /// One statement for the whole upload: the rows as arrays, unnested, inserted unless their client id is stored already
    /// (the partial unique index of migration 0014), returning the ids it inserted. Not through the group-commit queue: a
    /// conflict there would split other checkpoints' batches, and an upload is already a batch.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> AppendOfflineAsync(IReadOnlyList<PassRecord> passes, CancellationToken ct = default)
    {
        if (passes.Count == 0) return new HashSet<Guid>();
        await using var command = _db.CreateCommand($"""
            insert into checkpoint_passes ({Columns})
            select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[],
              $10::text[], $11::text[], $12::text[], $13::uuid[], $14::uuid[], $15::text[], $16::numeric[])
            on conflict (client_id) where client_id is not null do nothing
            returning client_id
            """);
        void Add<T>(Func<PassRecord, T> value) => command.Parameters.Add(new NpgsqlParameter<T[]> { TypedValue = passes.Select(value).ToArray() });
        Add(p => p.PassId);
        Add(p => p.CheckpointId);
        Add(p => p.RegionCode);
        Add(p => p.ResidentKey);
        Add(p => p.MaskedName);
        Add(p => p.Direction.ToString());
        Add(p => p.At.ToUniversalTime());
        Add(p => p.ColourSeen.ToString());
        Add(p => p.Outcome.ToString());
        Add(p => p.ReasonCode);
        Add(p => p.Staff);
        Add(p => p.Method.ToString());
        Add(p => p.DuplicateOf);
        Add(p => p.ClientId ?? throw new ArgumentException("An offline pass has a client id.", nameof(passes)));
        Add(p => p.Review == PassReview.None ? null : p.Review.ToString());
        Add(p => p.Temperature);
        var inserted = new HashSet<Guid>();
        // Not retried: a repeat of a committed upload would answer "none inserted" (all duplicates) for rows it just stored.
        await using var reader = await StaleConnections.ClearOnFailureAsync(_db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct)) inserted.Add(reader.GetGuid(0));
        return inserted;
    }

    public async Task<IReadOnlyList<PassRecord>> ForCheckpointAsync(string checkpointId, DateTimeOffset from, DateTimeOffset to, int skip, int take, CancellationToken ct = default)
    {
        await using var command = _db.CreateCommand($"select {Columns} from checkpoint_passes where checkpoint_id = $1 and at >= $2 and at < $3 order by at, id offset $4 limit $5");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpointId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = skip });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = take });
        return await ReadAsync(command, ct);
    }

    public async Task<int> CountForCheckpointAsync(string checkpointId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        await using var command = _db.CreateCommand("select count(*) from checkpoint_passes where checkpoint_id = $1 and at >= $2 and at < $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpointId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return (int)(long)(await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteScalarAsync(ct)))!;
    }

    public async Task<IReadOnlyList<PassRecord>> ForResidentAsync(string residentKey, DateTimeOffset from, DateTimeOffset to, int take, CancellationToken ct = default)
    {
        await using var command = _db.CreateCommand($"select {Columns} from checkpoint_passes where resident_key = $1 and at >= $2 and at < $3 order by at desc, id desc limit $4");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = residentKey });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = take });
        return await ReadAsync(command, ct);
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken ct = default)
    {
        // One bounded batch per statement (by the time index), so the job never holds long locks or a long transaction.
        await using var command = _db.CreateCommand(
            "delete from checkpoint_passes where id in (select id from checkpoint_passes where at < $1 order by at limit $2)");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
        // A repeat deletes the next bounded batch of rows that qualify anyway: harmless.
        return await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteNonQueryAsync(ct));
    }

    public async Task UpsertDailyAsync(CheckpointDaily daily, CancellationToken ct = default)
    {
        var c = daily.Counts;
        await using var command = _db.CreateCommand("""
            insert into checkpoint_daily (checkpoint_id, day, region_code, entries, exits, red_seen, yellow_seen, refused, duplicates, passes, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
            on conflict (checkpoint_id, day) do update set region_code = excluded.region_code, entries = excluded.entries, exits = excluded.exits,
              red_seen = excluded.red_seen, yellow_seen = excluded.yellow_seen, refused = excluded.refused, duplicates = excluded.duplicates,
              passes = excluded.passes, updated_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = daily.CheckpointId });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = c.Day });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = daily.RegionCode });
        foreach (var n in new[] { c.Entries, c.Exits, c.RedSeen, c.YellowSeen, c.Refused, c.Duplicates, c.Passes })
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = n });
        // An upsert of the same counts: a repeat is harmless.
        await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteNonQueryAsync(ct));
    }

    public async Task<IReadOnlyList<CheckpointDayCounts>> DailyAsync(string checkpointId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        await using var command = _db.CreateCommand("""
            select day, entries, exits, red_seen, yellow_seen, refused, duplicates, passes from checkpoint_daily
            where checkpoint_id = $1 and day >= $2 and day <= $3 order by day
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpointId });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = to });
        var result = new List<CheckpointDayCounts>();
        await using var reader = await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct))
            result.Add(new CheckpointDayCounts
            {
                Day = reader.GetFieldValue<DateOnly>(0), Entries = reader.GetInt32(1), Exits = reader.GetInt32(2), RedSeen = reader.GetInt32(3),
                YellowSeen = reader.GetInt32(4), Refused = reader.GetInt32(5), Duplicates = reader.GetInt32(6), Passes = reader.GetInt32(7),
            });
        return result;
    }

    private async Task<IReadOnlyList<PassRecord>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var result = new List<PassRecord>();
        await using var reader = await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct))
            result.Add(new PassRecord(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Enum.Parse<PassDirection>(reader.GetString(5)), reader.GetFieldValue<DateTimeOffset>(6),
                Enum.Parse<CodeColour>(reader.GetString(7)), Enum.Parse<PassOutcome>(reader.GetString(8)), reader.GetString(9),
                reader.GetString(10), Enum.Parse<PassMethod>(reader.GetString(11)), reader.IsDBNull(12) ? null : reader.GetGuid(12),
                reader.IsDBNull(13) ? null : reader.GetGuid(13), reader.IsDBNull(14) ? PassReview.None : Enum.Parse<PassReview>(reader.GetString(14)),
                reader.IsDBNull(15) ? null : reader.GetDecimal(15)));
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
    }
}
