using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Security;
using Sanmenxia.Tooling;

namespace Sanmenxia.Benchmarks;

/// <summary>Setup: the reminder rows written straight into the table, the table and its range queries described, the database reached.</summary>
public sealed partial class RemindersBenchmark
{
    public static string IdNumber(int i) => "bench" + i.ToString("D9", CultureInfo.InvariantCulture);

    /// <summary>ResidentGrain.SpreadOffset: FNV-1a of the key, modulo the window's ticks (simulated time).</summary>
    public static TimeSpan SpreadOffset(string key, TimeSpan window)
    {
        if (window <= TimeSpan.Zero) return TimeSpan.Zero;
        uint hash = 2166136261;
        foreach (var c in key) hash = (hash ^ c) * 16777619;
        return TimeSpan.FromTicks((long)(hash % (ulong)window.Ticks));
    }

    /// <summary>The same hash over the whole window: modulo its milliseconds (a uint covers 49 days of them).</summary>
    public static TimeSpan UniformSpreadOffset(string key, TimeSpan window)
    {
        if (window <= TimeSpan.Zero) return TimeSpan.Zero;
        uint hash = 2166136261;
        foreach (var c in key) hash = (hash ^ c) * 16777619;
        return TimeSpan.FromMilliseconds(hash % (ulong)Math.Max(1, (long)window.TotalMilliseconds));
    }

    private async Task InsertRowsAsync(string connectionString, GrainType residentType, PseudonymousKeys keys,
        DateTimeOffset realMidnight, TimeSpan spread, TimeSpan period)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var truncate = new NpgsqlCommand("TRUNCATE orleans_reminder", connection)) await truncate.ExecuteNonQueryAsync();
        var periodMs = (long)period.TotalMilliseconds; // what Orleans binds for a period above int.MaxValue ms, or (int) below
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY orleans_reminder (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version) FROM STDIN (FORMAT BINARY)");
        var maxOffset = TimeSpan.Zero;
        var uniform = settings.Offsets == "uniform";
        for (var i = 0; i < settings.Count; i++)
        {
            var key = keys.ForIdNumber(IdNumber(i));
            var grainId = GrainId.Create(residentType, key);
            var offset = uniform ? UniformSpreadOffset(key, spread) : SpreadOffset(key, spread);
            if (offset > maxOffset) maxOffset = offset;
            // ResidentGrain: first tick at the simulated end of day + offset; Orleans stores StartAt = now + dueTime (real).
            var start = realMidnight + TimeSpan.FromTicks((long)(offset.Ticks / settings.Speed));
            await writer.StartRowAsync();
            await writer.WriteAsync(ServiceId, NpgsqlDbType.Text);
            await writer.WriteAsync(grainId.ToString(), NpgsqlDbType.Text);
            await writer.WriteAsync(ReminderName, NpgsqlDbType.Text);
            await writer.WriteAsync(start.UtcDateTime, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(periodMs, NpgsqlDbType.Bigint);
            await writer.WriteAsync(unchecked((int)grainId.GetUniformHashCode()), NpgsqlDbType.Integer);
            await writer.WriteAsync(0, NpgsqlDbType.Integer);
        }
        await writer.CompleteAsync();
        Log($"offsets ({settings.Offsets}): the latest is {maxOffset} after midnight (simulated) of a {spread} window, " +
            $"{TimeSpan.FromTicks((long)(maxOffset.Ticks / settings.Speed))} real");
        _summary["offsets"] = settings.Offsets;
        _summary["maxOffsetSimulated"] = maxOffset.ToString();
        _summary["maxOffsetReal"] = TimeSpan.FromTicks((long)(maxOffset.Ticks / settings.Speed)).ToString();
    }

    private async Task DescribeTableAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var size = new NpgsqlCommand(
            "SELECT count(*), pg_size_pretty(pg_relation_size('orleans_reminder')), pg_size_pretty(pg_indexes_size('orleans_reminder')), " +
            "pg_total_relation_size('orleans_reminder') FROM orleans_reminder WHERE service_id = $1", connection))
        {
            size.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ServiceId });
            await using var r = await size.ExecuteReaderAsync();
            await r.ReadAsync();
            Log($"table: {r.GetInt64(0):N0} rows, heap {r.GetString(1)}, indexes {r.GetString(2)}, total {r.GetInt64(3) / 1048576.0:F0} MB");
            _summary["tableTotalMb"] = Math.Round(r.GetInt64(3) / 1048576.0);
        }

        // The queries the silo runs: one silo owns the whole ring (BeginHash = EndHash: ReadRangeRows2Key), four
        // silos own a quarter each (ReadRangeRows1Key). EXPLAIN ANALYZE runs them server-side without shipping rows.
        var plans = new List<object>();
        foreach (var (name, key, begin, end) in new[]
                 {
                     ("one silo, whole ring", "ReadRangeRows2Key", 0u, 0u),
                     ("one of four silos", "ReadRangeRows1Key", 0u, 0x4000_0000u),
                 })
        {
            string sql;
            await using (var q = new NpgsqlCommand("SELECT querytext FROM orleansquery WHERE querykey = $1", connection))
            {
                q.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
                sql = (string)(await q.ExecuteScalarAsync())!;
            }
            string plan = "";
            for (var run = 0; run < 2; run++) // the second run is the warm one (the table is in shared buffers / page cache)
            {
                await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection) { CommandTimeout = 0 };
                explain.Parameters.AddWithValue("ServiceId", ServiceId);
                explain.Parameters.AddWithValue("BeginHash", unchecked((int)begin));
                explain.Parameters.AddWithValue("EndHash", unchecked((int)end));
                var lines = new List<string>();
                await using var r = await explain.ExecuteReaderAsync();
                while (await r.ReadAsync()) lines.Add(r.GetString(0));
                plan = string.Join("\n", lines);
            }
            Log($"EXPLAIN ANALYZE {key} ({name}), warm:\n{plan}");
            plans.Add(new { name, key, plan });

            // The same query, rows shipped to this client and read (what the provider's reader does before Orleans parses them).
            var read = Stopwatch.StartNew();
            long rows = 0, chars = 0;
            await using (var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 })
            {
                cmd.Parameters.AddWithValue("ServiceId", ServiceId);
                cmd.Parameters.AddWithValue("BeginHash", unchecked((int)begin));
                cmd.Parameters.AddWithValue("EndHash", unchecked((int)end));
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    rows++;
                    chars += r.GetString(0).Length;
                    _ = r.GetDateTime(2);
                    _ = r.GetInt64(3);
                }
            }
            Log($"client read of {key} ({name}): {rows:N0} rows in {read.Elapsed.TotalMilliseconds:F0} ms");
            plans.Add(new { name, key, clientReadRows = rows, clientReadMs = Math.Round(read.Elapsed.TotalMilliseconds) });
        }
        _summary["rangeQueries"] = plans;
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The project's PostgreSQL (./sanmenxia up; port and password as the tools find them), with this benchmark's own database.</summary>
    private static string ConnectionString(string root)
    {
        var system = SystemSecrets.Load(Path.Combine(root, ".data"));
        return new NpgsqlConnectionStringBuilder(system.PgConnectionString) { Database = Database, MaxPoolSize = 100, Timeout = 15, CommandTimeout = 60 }.ConnectionString;
    }
}
