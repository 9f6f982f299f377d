using System.Diagnostics;
using System.Runtime;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sanmenxia.HealthCode;
using Sanmenxia.Persistence;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.Benchmarks;

/// <summary>
/// What N day-close reminders cost one silo: the reminder rows are written straight into the ADO.NET reminder table
/// (COPY, in exactly the format Orleans writes for ResidentGrain's "day-close" reminder), then a silo wired by
/// AddSanmenxiaSilo is started on that table with the simulation clock, and the benchmark records the load at start,
/// memory over time, the table refresh, and the tick storm after the simulated midnight.
/// The ticks go to the real ResidentGrain for residents that have no stored state: each tick activates the grain,
/// reads its (absent) row from PostgreSQL, evaluates (nothing applied: no write), and deactivates, the "no colour
/// changed" path that most residents take every midnight.
/// The run in order: rows (RemindersBenchmark.Rows.cs), silo (RemindersBenchmark.Host.cs), sampling until the storm is over
/// (RemindersBenchmark.Sampling.cs), report (RemindersBenchmark.Report.cs).
/// </summary>
public sealed partial class RemindersBenchmark(ReminderBenchSettings settings)
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

        // ------------------------------------------------------------------ sampling (RemindersBenchmark.Sampling.cs)
        var samples = await SampleAsync(host, probe, gauges, siloStart, commandStart, realMidnight, stormEndsAt);

        // ------------------------------------------------------------------ report (RemindersBenchmark.Report.cs)
        return await ReportAsync(host, probe, samples, outDir, label);
    }
}
