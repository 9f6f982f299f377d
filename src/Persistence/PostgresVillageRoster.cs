using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Residents;

namespace Sanmenxia.Persistence;

/// <summary>
/// The village_resident table (migration 0007). Flushes from every village are grouped: each writer loop takes
/// what has queued and sends it as one upsert plus one delete in one transaction (group commit), and every
/// caller's task completes only after that commit. Rows go in key order so concurrent batches lock in the
/// same order.
/// </summary>
public sealed class PostgresVillageRoster : IVillageRoster, IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly VillageResidentRows _rows;
    private readonly GroupCommitQueue<(string Village, IReadOnlyCollection<ResidentSummary> Changed)> _queue;

    public PostgresVillageRoster(NpgsqlDataSource db, Serializer<ResidentSummary> serializer, ILogger<PostgresVillageRoster> logger)
    {
        _db = db;
        _rows = new(serializer);
        // Two writer loops, each batch up to 5,000 rows (a village's save may carry several).
        // Versioned rows (version < excluded.version): a repeated batch changes nothing, so a stale connection's batch runs once more.
        _queue = new("Village roster", 10_000, 5_000, b => StaleConnections.RetryOnceAsync(_db, () => WriteBatchAsync(b)), logger, writers: 2, weight: p => p.Changed.Count);
    }

    public async Task<IReadOnlyList<ResidentSummary>> LoadAsync(string villageCode, CancellationToken ct = default)
    {
        await using var command = _db.CreateCommand("select payload from village_resident where village_code = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = villageCode });
        var rows = new List<ResidentSummary>();
        await using var reader = await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct)) rows.Add(_rows.Read(villageCode, reader.GetFieldValue<byte[]>(0)));
        return rows;
    }

    public Task SaveAsync(string villageCode, IReadOnlyCollection<ResidentSummary> changed, CancellationToken ct = default) =>
        changed.Count == 0 ? Task.CompletedTask : _queue.WriteAsync((villageCode, changed), ct);

    private async Task WriteBatchAsync(IReadOnlyList<(string Village, IReadOnlyCollection<ResidentSummary> Changed)> batch)
    {
        // One row per key per statement (ON CONFLICT may touch a row once): the newest version wins.
        var latest = batch
            .SelectMany(p => p.Changed.Select(s => (p.Village, Summary: s)))
            .GroupBy(r => (r.Village, r.Summary.ResidentKey))
            .Select(g => g.MaxBy(r => r.Summary.Version))
            .OrderBy(r => r.Village, StringComparer.Ordinal).ThenBy(r => r.Summary.ResidentKey, StringComparer.Ordinal)
            .ToList();
        var upserts = latest.Where(r => !r.Summary.Removed).ToList();
        var deletes = latest.Where(r => r.Summary.Removed).ToList();

        await using var connection = await _db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (upserts.Count > 0)
        {
            await using var upsert = new NpgsqlCommand("WITH " + VillageResidentRows.UpsertCtes(
                "unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[]) as t(village, resident, version, payload)", "upserted") + " SELECT 1",
                connection, transaction);
            upsert.Parameters.Add(new NpgsqlParameter { Value = upserts.Select(r => r.Village).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            upsert.Parameters.Add(new NpgsqlParameter { Value = upserts.Select(r => r.Summary.ResidentKey).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            upsert.Parameters.Add(new NpgsqlParameter { Value = upserts.Select(r => r.Summary.Version).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            upsert.Parameters.Add(new NpgsqlParameter { Value = upserts.Select(r => _rows.Payload(r.Summary)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            await upsert.ExecuteNonQueryAsync();
        }
        if (deletes.Count > 0)
        {
            await using var delete = new NpgsqlCommand(VillageResidentRows.Delete(
                "unnest($1::text[], $2::text[], $3::bigint[]) as t(village, resident, version)"), connection, transaction);
            delete.Parameters.Add(new NpgsqlParameter { Value = deletes.Select(r => r.Village).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            delete.Parameters.Add(new NpgsqlParameter { Value = deletes.Select(r => r.Summary.ResidentKey).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            delete.Parameters.Add(new NpgsqlParameter { Value = deletes.Select(r => r.Summary.Version).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            await delete.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        Interlocked.Increment(ref _savedBatches);
    }

    private long _savedBatches;

    /// <summary>
    /// Batches this roster committed since start. Stays 0 while the residents store their own rows with their state
    /// (VillageRosterOptions.RowsStoredWithResidentState): then no village writes a row.
    /// </summary>
    public long SavedBatches => Interlocked.Read(ref _savedBatches);

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
    }
}
