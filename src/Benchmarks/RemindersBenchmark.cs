using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sanmenxia.HealthCode;
using Sanmenxia.Persistence;
using Sanmenxia.Residents;
using Sanmenxia.Security;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Tooling;

namespace Sanmenxia.Benchmarks;

public sealed class ReminderBenchSettings
{
    public int Count { get; init; }
    /// <summary>Deadlines:SpreadAfterMidnight in simulated minutes (0 = every tick at midnight).</summary>
    public double SpreadMinutes { get; init; }
    /// <summary>Simulation:Speed: simulated seconds per real second. Tick rate = N / (spread / speed).</summary>
    public double Speed { get; init; }
    /// <summary>Real seconds from the start of the command to the simulated midnight (insert + silo start must fit).</summary>
    public double MidnightInSeconds { get; init; }
    public double AfterStormSeconds { get; init; }
    public double MaxSeconds { get; init; }
    public double MaxRssGb { get; init; }
    public bool KeepRows { get; init; }
    public string Label { get; init; } = "";
    public string OutDir { get; init; } = "";
    /// <summary>"grain": ResidentGrain.SpreadOffset as written (32-bit FNV modulo the window's ticks); "uniform": the same
    /// hash modulo the window's milliseconds, which spreads over the whole window (see docs/reminders.md).</summary>
    public string Offsets { get; init; } = "grain";
}

/// <summary>
/// What N day-close reminders cost one silo: the reminder rows are written straight into the ADO.NET reminder table
/// (COPY, in exactly the format Orleans writes for ResidentGrain's "day-close" reminder), then a silo wired by
/// AddSanmenxiaSilo is started on that table with the simulation clock, and the benchmark records the load at start,
/// memory over time, the table refresh, and the tick storm after the simulated midnight.
/// The ticks go to the real ResidentGrain for residents that have no stored state: each tick activates the grain,
/// reads its (absent) row from PostgreSQL, evaluates (nothing applied: no write), and deactivates, the "no colour
/// changed" path that most residents take every midnight.
/// </summary>
public sealed class RemindersBenchmark(ReminderBenchSettings settings)
{
    public const string Database = "sanmenxia_bench_reminders";
    public const string ServiceId = "bench-reminders";
    public const string ReminderName = "day-close";
    private const string KeySecret = "benchmark-key-secret-0123456789abcdef";

    private readonly StringBuilder _report = new();
    private readonly Dictionary<string, object?> _summary = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Log(string line)
    {
        var text = $"[{_clock.Elapsed.TotalSeconds,7:F1}s] {line}";
        Console.WriteLine(text);
        _report.AppendLine(text);
    }

    public async Task<int> RunAsync()
    {
        var root = FindRepoRoot();
        var outDir = settings.OutDir is { Length: > 0 } o ? o : Path.Combine(root, "docs", "benchmarks");
        Directory.CreateDirectory(outDir);
        var label = settings.Label is { Length: > 0 } l ? l
            : $"reminders-n{settings.Count}-spread{settings.SpreadMinutes:0}-speed{settings.Speed:0}";
        var connectionString = ConnectionString(root);

        var policy = HealthCodePolicy.Default;
        var commandStart = DateTimeOffset.UtcNow;
        var realMidnight = commandStart + TimeSpan.FromSeconds(settings.MidnightInSeconds);
        // The simulated midnight M is the next real Asia/Shanghai midnight; the anchor is placed so that M arrives
        // MidnightInSeconds after the command starts.
        var simMidnight = HealthCodeRules.EndOfDay(policy, HealthCodeRules.Today(policy, commandStart));
        var anchorSim = simMidnight - TimeSpan.FromSeconds(settings.MidnightInSeconds * settings.Speed);
        var period = TimeSpan.FromTicks((long)(TimeSpan.FromDays(1).Ticks / settings.Speed)); // TimeScale.ToRealDelay(1 day)
        var spread = TimeSpan.FromMinutes(settings.SpreadMinutes);
        // ResidentGrain's offsets never exceed 2^32 ticks (7.2 min): a 32-bit hash modulo a window's ticks.
        var effectiveSpread = settings.Offsets == "uniform" ? spread : TimeSpan.FromTicks(Math.Min(spread.Ticks, uint.MaxValue));
        var stormEndsAt = realMidnight + TimeSpan.FromTicks((long)(effectiveSpread.Ticks / settings.Speed));

        Log($"reminders benchmark {label}: N={settings.Count:N0}, spread {settings.SpreadMinutes} simulated min, speed {settings.Speed}, " +
            $"period {period}, simulated midnight {simMidnight:u} at real {realMidnight:HH:mm:ss}Z, storm ends {stormEndsAt:HH:mm:ss}Z");
        Log($"machine: {Environment.ProcessorCount} cores, GC server={GCSettings.IsServerGC}, loadavg {SelfProc.LoadAverage()}");
        _summary["label"] = label;
        _summary["n"] = settings.Count;
        _summary["spreadMinutes"] = settings.SpreadMinutes;
        _summary["speed"] = settings.Speed;
        _summary["periodReal"] = period.ToString();
        _summary["tickRatePlannedPerSecond"] = effectiveSpread > TimeSpan.Zero ? Math.Round(settings.Count / (effectiveSpread.TotalSeconds / settings.Speed)) : -1;

        // ------------------------------------------------------------------ database and rows
        await MigrationRunner.EnsureDatabaseAsync(connectionString);
        await MigrationRunner.ApplyAsync(connectionString);
        var residentType = GrainType.Create("resident");
        var keys = new PseudonymousKeys(KeySecret);
        var firstKey = keys.ForIdNumber(IdNumber(0));

        if (!settings.KeepRows)
        {
            var insert = Stopwatch.StartNew();
            await InsertRowsAsync(connectionString, residentType, keys, realMidnight, spread, period);
            Log($"COPY {settings.Count:N0} reminder rows: {insert.Elapsed.TotalSeconds:F1} s ({settings.Count / Math.Max(0.001, insert.Elapsed.TotalSeconds):N0} rows/s)");
            _summary["copySeconds"] = Math.Round(insert.Elapsed.TotalSeconds, 1);
            var analyze = Stopwatch.StartNew();
            await ExecAsync(connectionString, "VACUUM ANALYZE orleans_reminder");
            Log($"VACUUM ANALYZE: {analyze.Elapsed.TotalSeconds:F1} s");
        }
        try
        {
            await DescribeTableAsync(connectionString);
        }
        catch (NpgsqlException e)
        {
            // The shared PostgreSQL may be restarted by others: the table figures are lost, the run goes on.
            Log($"table description failed ({e.Message}); continuing");
        }

        if (DateTimeOffset.UtcNow > realMidnight - TimeSpan.FromSeconds(20))
            Log("WARNING: the simulated midnight is less than 20 s away after the insert: raise --midnight-in");

        // ------------------------------------------------------------------ silo
        var probe = new TickProbe(residentType);
        using var gauges = new OrleansGauges();
        var (baseRss, _) = SelfProc.Memory();
        Log($"before silo: RSS {baseRss:F0} MB, GC heap {GC.GetTotalMemory(false) / 1048576.0:F0} MB");
        var siloStart = Stopwatch.StartNew();
        var host = BuildSilo(connectionString, commandStart, anchorSim, probe);
        await host.StartAsync();
        var started = siloStart.Elapsed;
        Log($"silo started in {started.TotalSeconds:F1} s (the reminder service loads its range in the background after this)");
        _summary["siloStartSeconds"] = Math.Round(started.TotalSeconds, 1);

        // The grain id written for the rows must be the one Orleans derives for ResidentGrain.
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var derived = grains.GetGrain<IResidentGrain>(firstKey).GetGrainId();
        var written = GrainId.Create(residentType, firstKey);
        Log($"grain id check: Orleans derives {derived} (hash {derived.GetUniformHashCode()}), rows use {written} (hash {written.GetUniformHashCode()})");
        if (derived != written)
        {
            Log("ABORT: the rows' grain id does not match Orleans' grain id for ResidentGrain");
            await StopAsync(host);
            return 3;
        }

        // ------------------------------------------------------------------ sampling
        var csv = new StringBuilder("t_s,phase,rss_mb,hwm_mb,gc_heap_mb,gc_committed_mb,gen2,cpu_pct,active_reminders,activations,ticks,ticks_per_s,late_p50_ms,late_p99_ms,late_max_ms,in_flight,threadpool_queue\n");
        var lastCpu = SelfProc.CpuTime();
        var lastAt = _clock.Elapsed;
        long lastTicks = 0;
        double peakRss = 0, peakHeap = 0, peakActive = 0, peakActivations = 0, peakRate = 0, peakRssBeforeMidnight = 0;
        double loadedActive = 0;
        var loadDoneAt = (double?)null;
        var stableSamples = 0;
        double lastActive = -1;
        var refreshMeasured = false;
        var aborted = false;
        var exitCode = 0;
        var deadline = commandStart + TimeSpan.FromSeconds(settings.MaxSeconds);
        var expectedTicks = settings.Count;

        while (true)
        {
            await Task.Delay(1000);
            var now = DateTimeOffset.UtcNow;
            var elapsed = _clock.Elapsed;
            var cpu = SelfProc.CpuTime();
            var cpuPct = (cpu - lastCpu).TotalSeconds / (elapsed - lastAt).TotalSeconds * 100;
            lastCpu = cpu;
            var (rss, hwm) = SelfProc.Memory();
            var info = GC.GetGCMemoryInfo();
            var heapMb = GC.GetTotalMemory(false) / 1048576.0;
            var values = gauges.Read();
            var active = values.GetValueOrDefault("orleans-reminders-active");
            var activations = values.GetValueOrDefault("orleans-catalog-activations");
            var ticks = probe.Ticks;
            var rate = (ticks - lastTicks) / (elapsed - lastAt).TotalSeconds;
            lastTicks = ticks;
            lastAt = elapsed;
            var (p50, p99, max) = probe.TakeInterval();
            var phase = now < realMidnight ? "before-midnight" : now < stormEndsAt ? "storm" : "after-storm";
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{elapsed.TotalSeconds:F1},{phase},{rss:F0},{hwm:F0},{heapMb:F0},{info.TotalCommittedBytes / 1048576.0:F0},{GC.CollectionCount(2)},{cpuPct:F0},{active:F0},{activations:F0},{ticks},{rate:F0},{p50},{p99},{max},{probe.InFlight},{ThreadPool.PendingWorkItemCount}"));
            peakRss = Math.Max(peakRss, rss);
            peakHeap = Math.Max(peakHeap, heapMb);
            peakActive = Math.Max(peakActive, active);
            peakActivations = Math.Max(peakActivations, activations);
            peakRate = Math.Max(peakRate, rate);
            if (phase == "before-midnight") peakRssBeforeMidnight = Math.Max(peakRssBeforeMidnight, rss);

            if ((int)elapsed.TotalSeconds % 5 == 0 || phase != "before-midnight")
                Log($"{phase,-15} RSS {rss,6:F0} MB heap {heapMb,6:F0} MB cpu {cpuPct,4:F0}% active reminders {active,9:N0} activations {activations,8:N0} ticks {ticks,9:N0} ({rate,6:N0}/s) late p50 {p50} p99 {p99} max {max} ms in-flight {probe.InFlight}");

            // The initial load is done when the number of running reminders stops changing (before midnight).
            if (loadDoneAt is null && phase == "before-midnight")
            {
                stableSamples = active > 0 && Math.Abs(active - lastActive) < 1 ? stableSamples + 1 : 0;
                if (stableSamples >= 3 || (settings.Count == 0 && elapsed.TotalSeconds > 10))
                {
                    loadDoneAt = elapsed.TotalSeconds - 3;
                    loadedActive = active;
                    Log($"initial load done: {active:N0} reminders running, ~{siloStart.Elapsed.TotalSeconds - 3:F1} s after the silo began to start, RSS {rss:F0} MB");
                    _summary["loadDoneSecondsAfterSiloStart"] = Math.Round(siloStart.Elapsed.TotalSeconds - 3, 1);
                    _summary["remindersLoaded"] = active;
                    _summary["rssAfterLoadMb"] = Math.Round(rss);
                }
            }
            lastActive = active;

            // Once loaded, and with enough time before midnight: what one table refresh costs, then the live heap.
            if (loadDoneAt is not null && !refreshMeasured && now < realMidnight - TimeSpan.FromSeconds(5))
            {
                refreshMeasured = true;
                await MeasureRefreshAsync(host, realMidnight);
            }

            if (rss > settings.MaxRssGb * 1024)
            {
                Log($"ABORT: RSS {rss:F0} MB is above --max-rss-gb {settings.MaxRssGb}");
                aborted = true;
                exitCode = 2;
                break;
            }
            if (now > deadline)
            {
                Log($"stop: --max-seconds {settings.MaxSeconds} reached");
                break;
            }
            if (settings.Count == 0 && elapsed.TotalSeconds > 30) break;
            if (now > stormEndsAt + TimeSpan.FromSeconds(settings.AfterStormSeconds) && (ticks >= expectedTicks || now > stormEndsAt + TimeSpan.FromSeconds(settings.AfterStormSeconds * 4)))
                break;
        }

        var total = probe.Total();
        var first = probe.FirstTickAt;
        var last = probe.LastTickAt;
        var stormSeconds = total.Count > 0 ? (last - first).TotalSeconds : 0;
        Log($"ticks: {total.Count:N0} of {expectedTicks:N0} (failed {probe.Failed}), first {first:HH:mm:ss.fff}Z last {last:HH:mm:ss.fff}Z ({stormSeconds:F1} s), " +
            $"peak {peakRate:N0}/s, mean {(stormSeconds > 0 ? total.Count / stormSeconds : 0):N0}/s; lateness p50 {total.P50} p90 {total.P90} p99 {total.P99} max {total.Max} ms; max in flight {probe.MaxInFlight}");
        Log($"memory: peak RSS {peakRss:F0} MB (before midnight {peakRssBeforeMidnight:F0} MB), peak GC heap {peakHeap:F0} MB, peak running reminders {peakActive:N0}, peak activations {peakActivations:N0}");
        _summary["ticks"] = total.Count;
        _summary["ticksFailed"] = probe.Failed;
        _summary["stormSeconds"] = Math.Round(stormSeconds, 1);
        _summary["ticksPeakPerSecond"] = Math.Round(peakRate);
        _summary["ticksMeanPerSecond"] = stormSeconds > 0 ? Math.Round(total.Count / stormSeconds) : 0;
        _summary["latenessMs"] = new { p50 = total.P50, p90 = total.P90, p99 = total.P99, max = total.Max };
        _summary["peakRssMb"] = Math.Round(peakRss);
        _summary["peakRssBeforeMidnightMb"] = Math.Round(peakRssBeforeMidnight);
        _summary["peakGcHeapMb"] = Math.Round(peakHeap);
        _summary["peakRunningReminders"] = peakActive;
        _summary["peakActivations"] = peakActivations;
        _summary["maxTicksInFlight"] = probe.MaxInFlight;
        _summary["aborted"] = aborted;
        _summary["loadavgAtEnd"] = SelfProc.LoadAverage();

        if (!aborted)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var liveAfter = GC.GetTotalMemory(true);
            var (rssAfter, _) = SelfProc.Memory();
            Log($"after the storm: live heap after a full GC {liveAfter / 1048576.0:F0} MB, RSS {rssAfter:F0} MB");
            _summary["liveHeapAfterStormMb"] = Math.Round(liveAfter / 1048576.0);
        }
        var stop = Stopwatch.StartNew();
        await StopAsync(host);
        Log($"silo stopped in {stop.Elapsed.TotalSeconds:F1} s");

        await File.WriteAllTextAsync(Path.Combine(outDir, label + ".csv"), csv.ToString());
        await File.WriteAllTextAsync(Path.Combine(outDir, label + ".log"), _report.ToString());
        await File.WriteAllTextAsync(Path.Combine(outDir, label + ".json"),
            JsonSerializer.Serialize(_summary, new JsonSerializerOptions { WriteIndented = true }));
        Log($"wrote {Path.Combine(outDir, label)}.{{csv,log,json}}");
        return exitCode;
    }

    // ------------------------------------------------------------------ rows

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

    // ------------------------------------------------------------------ refresh

    /// <summary>One refresh as the reminder service does it: IReminderTable.ReadRows over the silo's whole range.</summary>
    private async Task MeasureRefreshAsync(IHost host, DateTimeOffset realMidnight)
    {
        var table = host.Services.GetRequiredService<IReminderTable>();
        var heapBefore = GC.GetTotalMemory(false);
        var allocatedBefore = GC.GetTotalAllocatedBytes(false);
        var (rssBefore, _) = SelfProc.Memory();
        var sw = Stopwatch.StartNew();
        var data = await table.ReadRows(0, 0);
        var ms = sw.Elapsed.TotalMilliseconds;
        var rows = data.Reminders.Count;
        var heapWith = GC.GetTotalMemory(false);
        var (rssWith, _) = SelfProc.Memory();
        var allocated = GC.GetTotalAllocatedBytes(false) - allocatedBefore;
        data = null;
        Log($"refresh read (IReminderTable.ReadRows, whole ring): {rows:N0} rows in {ms:F0} ms, allocated {allocated / 1048576.0:F0} MB " +
            $"({(rows > 0 ? allocated / rows : 0)} B/row), heap {heapBefore / 1048576.0:F0} -> {heapWith / 1048576.0:F0} MB, RSS {rssBefore:F0} -> {rssWith:F0} MB");
        _summary["refreshRows"] = rows;
        _summary["refreshReadMs"] = Math.Round(ms);
        _summary["refreshAllocatedMb"] = Math.Round(allocated / 1048576.0);

        if (DateTimeOffset.UtcNow < realMidnight - TimeSpan.FromSeconds(5))
        {
            // The live heap with the reminders loaded: a full blocking GC, then what survives.
            var gc = Stopwatch.StartNew();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var live = GC.GetTotalMemory(true);
            var (rssAfterGc, _) = SelfProc.Memory();
            Log($"live heap after a full GC: {live / 1048576.0:F0} MB (GC took {gc.Elapsed.TotalMilliseconds:F0} ms), RSS {rssAfterGc:F0} MB");
            _summary["liveHeapLoadedMb"] = Math.Round(live / 1048576.0);
            _summary["rssAfterFullGcMb"] = Math.Round(rssAfterGc);
        }
    }

    // ------------------------------------------------------------------ host

    private IHost BuildSilo(string connectionString, DateTimeOffset anchorReal, DateTimeOffset anchorSim, TickProbe probe)
    {
        var clusterId = "bench-" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        var configuration = new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = connectionString,
            ["Orleans:Providers"] = "Postgres",
            ["Orleans:ClusterId"] = clusterId, // a fresh cluster each run: no dead silos of earlier runs to probe
            ["Orleans:ServiceId"] = ServiceId, // reminders belong to the service, not the cluster
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:MinimumReminderPeriod"] = "00:00:01",
            ["Privacy:KeySecret"] = KeySecret,
            ["Simulation:Enabled"] = "true",
            ["Simulation:Speed"] = settings.Speed.ToString(CultureInfo.InvariantCulture),
            ["Simulation:AnchorRealTime"] = anchorReal.ToString("O", CultureInfo.InvariantCulture),
            ["Simulation:AnchorSimulatedTime"] = anchorSim.ToString("O", CultureInfo.InvariantCulture),
            ["Deadlines:SpreadAfterMidnight"] = TimeSpan.FromMinutes(settings.SpreadMinutes).ToString(),
        };
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddSanmenxiaLogFilters();
        builder.UseOrleans(silo =>
        {
            silo.AddSanmenxiaSilo(builder.Configuration);
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(probe);
        });
        return builder.Build();
    }

    private static async Task StopAsync(IHost host)
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            host.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Sanmenxia.Orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("run from inside the repository (Sanmenxia.Orleans.sln not found)");
    }

    /// <summary>The project's PostgreSQL (./sanmenxia up; port and password as the tools find them), with this benchmark's own database.</summary>
    private static string ConnectionString(string root)
    {
        var system = SystemSecrets.Load(Path.Combine(root, ".data"));
        return new NpgsqlConnectionStringBuilder(system.PgConnectionString) { Database = Database, MaxPoolSize = 100, Timeout = 15, CommandTimeout = 60 }.ConnectionString;
    }
}
