using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Villages;

namespace Sanmenxia.Persistence;

/// <summary>region_daily in PostgreSQL: upserts grouped into one statement per round trip (group commit).</summary>
public sealed class PostgresRegionHistory : IRegionHistory, IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly GroupCommitQueue<(string Code, DateOnly Day, string Json)> _queue;

    public PostgresRegionHistory(NpgsqlDataSource db, ILogger<PostgresRegionHistory> logger)
    {
        _db = db;
        _queue = new GroupCommitQueue<(string Code, DateOnly Day, string Json)>("Region history", 20_000, 2_000, WriteBatchAsync, logger);
    }

    public Task WriteAsync(string regionCode, DateOnly day, RegionCounts counts) =>
        _queue.WriteAsync((regionCode, day, JsonSerializer.Serialize(counts)));

    public async Task<IReadOnlyList<RegionDay>> ReadAsync(string regionCode, DateOnly from, DateOnly to)
    {
        await using var command = _db.CreateCommand("select day, counts::text from region_daily where region_code = $1 and day between $2 and $3 order by day");
        command.Parameters.Add(new NpgsqlParameter { Value = regionCode });
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        var rows = new List<RegionDay>();
        await using var reader = await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteReaderAsync());
        while (await reader.ReadAsync())
            rows.Add(new RegionDay(reader.GetFieldValue<DateOnly>(0), JsonSerializer.Deserialize<RegionCounts>(reader.GetString(1))!));
        return rows;
    }

    private async Task WriteBatchAsync(IReadOnlyList<(string Code, DateOnly Day, string Json)> batch)
    {
        // One row per key per statement: the latest write of a key in this batch wins.
        var latest = batch.GroupBy(b => (b.Code, b.Day)).Select(g => g.Last()).ToList();
        await using var command = _db.CreateCommand("""
            insert into region_daily (region_code, day, counts, written_at)
            select code, day, counts::jsonb, now() from unnest($1::text[], $2::date[], $3::text[]) as t(code, day, counts)
            on conflict (region_code, day) do update set counts = excluded.counts, written_at = excluded.written_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = latest.Select(b => b.Code).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = latest.Select(b => b.Day).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        command.Parameters.Add(new NpgsqlParameter { Value = latest.Select(b => b.Json).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        // An upsert of the same values: a repeat is harmless.
        await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteNonQueryAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
    }
}
