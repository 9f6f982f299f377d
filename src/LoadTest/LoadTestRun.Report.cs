using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>The result: database facts, the JSON result and its Markdown table, the console summary.</summary>
public sealed partial class LoadTestRun
{
    private async Task<Dictionary<string, object>> DatabaseFactsAsync(Secrets secrets)
    {
        var facts = new Dictionary<string, object>(StringComparer.Ordinal);
        try
        {
            await using var conn = new Npgsql.NpgsqlConnection(secrets.PgConnectionString + ";Command Timeout=120");
            await conn.OpenAsync();
            await using (var cmd = new Npgsql.NpgsqlCommand("select grain_type, count(*), coalesce(sum(length(payload)),0), coalesce(max(length(payload)),0) from orleans_grain_state group by 1 order by 2 desc", conn))
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                var grains = new Dictionary<string, object>();
                while (await reader.ReadAsync())
                    grains[reader.GetString(0)] = new { rows = reader.GetInt64(1), payloadMb = Math.Round(reader.GetInt64(2) / 1048576.0, 1), maxPayloadBytes = reader.GetInt32(3) };
                facts["grainState"] = grains;
            }
            await using (var cmd = new Npgsql.NpgsqlCommand("select count(*) from orleans_reminder", conn)) facts["reminders"] = await cmd.ExecuteScalarAsync() ?? 0;
            await using (var cmd = new Npgsql.NpgsqlCommand("select pg_database_size(current_database())", conn))
                facts["databaseMb"] = Math.Round(Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture) / 1048576.0, 1);
            await using (var cmd = new Npgsql.NpgsqlCommand("select count(*) from audit_log", conn)) facts["auditRows"] = await cmd.ExecuteScalarAsync() ?? 0;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            facts["error"] = e.Message;
        }
        return facts;
    }

    private object BuildResult(DateTimeOffset started, TimeSpan wall, RegionSetup regions, PgBenchResult? pgbench, ProcessSampler sampler, Dictionary<string, object> database)
    {
        var clockIn = _phases.FirstOrDefault(p => p.Phase == "clockin");
        double? ratio = pgbench is { Ran: true, Tps: > 0 } && clockIn is { PerSecond: > 0 } ? Math.Round(clockIn.PerSecond / pgbench.Tps, 3) : null;
        var extrapolation = _phases.Where(p => p.UnitsPerSecond > 0).ToDictionary(p => p.Phase, p => (object)new
        {
            ratePerSecond = p.UnitsPerSecond,
            minutesFor2_63M = Math.Round(LoadTestOptions.CityPopulation / p.UnitsPerSecond / 60, 1),
            note = "linear extrapolation of the measured rate; not measured at that scale",
        });
        return new
        {
            tool = "Sanmenxia.LoadTest",
            startedAt = started,
            wallSeconds = Math.Round(wall.TotalSeconds, 1),
            machine = new
            {
                cores = Environment.ProcessorCount,
                memoryGb = Math.Round(MemoryGb(), 1),
                os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                dotnet = Environment.Version.ToString(),
                commit = GitCommit(),
            },
            options = new
            {
                baseUrl = o.BaseUrl.ToString(), o.Residents, villages = regions.Villages, o.Seed, o.Cohort, o.Concurrency, o.ImportChunk, o.ImportParallel,
                o.ApplyShare, o.ClockInShare, o.CodeReadShare, o.FeverShare, o.VillageStaff, o.VillageQueries, o.MaxSeconds, o.PgBenchSeconds, o.PgBenchClients,
                o.Smoke, phases = o.Phases.Order().ToList(), o.Rate, o.MaxInFlight, o.Sender,
                loop = o.Rate is null ? $"closed loop, {o.Concurrency} in flight" : $"open loop at {o.Rate}/s (resident phases), at most {o.MaxInFlight} in flight",
            },
            regions,
            population = new { residents = _population.Count, households = _population.Households, withPhone = _population.AdultsWithPhone(), villages = _population.Villages.Count },
            pgbench,
            clockInToPgbenchRatio = ratio,
            phases = _phases,
            processes = _processesByPhase,
            extrapolation,
            database,
            notes = _notes,
            sampler = _samplerCost = sampler.Cost(),
            siloRss = _siloRss = SiloRss(sampler),
            samples = sampler.Samples(),
        };
    }

    /// <summary>Every silo's RSS through the whole run: peak, last, and a series of at most one point per 5 s.</summary>
    private static List<RssSeries> SiloRss(ProcessSampler sampler)
    {
        var samples = sampler.Samples();
        return sampler.Watched.Where(w => w.Name.StartsWith("silo", StringComparison.Ordinal)).Select(w => RssSeries.From(w.Name, samples, 5)).ToList();
    }

    private async Task<(string Json, string Md)> WriteAsync(object result)
    {
        var path = o.Out ?? (o.Residents >= 1_000_000 ? "docs/benchmarks/latest.json" : "artifacts/loadtest/result.json");
        if (!Path.IsPathRooted(path)) path = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true }));
        var md = Path.ChangeExtension(path, ".md");
        await File.WriteAllTextAsync(md, Markdown() + MarkdownCpu());
        return (path, md);
    }

    private string Markdown()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"# Load test {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: {o.Residents:N0} residents{(o.Smoke ? " (smoke)" : "")}");
        sb.AppendLine();
        sb.AppendLine(inv, $"{Environment.ProcessorCount} cores, {MemoryGb():F0} GB, .NET {Environment.Version}, commit {GitCommit() ?? "?"}; {_population.Villages.Count:N0} villages, {_population.Households:N0} households; concurrency {o.Concurrency}, import {o.ImportParallel} × {o.ImportChunk:N0} rows.");
        sb.AppendLine();
        sb.AppendLine(inv, $"Load: {(o.Rate is { } rate ? $"open loop at {rate:N0}/s for the resident phases (latency from the intended send time, at most {o.MaxInFlight:N0} in flight)" : $"closed loop, {o.Concurrency} in flight")}; resident requests sent by the {o.Sender} sender (`--sender`).");
        sb.AppendLine();
        sb.AppendLine("| phase | operation | count | seconds | ops/s | units/s | p50 ms | p90 ms | p99 ms | max ms | system CPU ms/op (`cpuMsPerOp`) | refused | errors |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var p in _phases)
            sb.AppendLine(inv, $"| {p.Phase}{(p.Truncated ? " (deadline)" : "")} | `{p.Operation}` | {p.Count:N0} | {p.Seconds:N1} | {p.PerSecond:N0} | {p.UnitsPerSecond:N0} | {p.P50Ms} | {p.P90Ms} | {p.P99Ms} | {p.MaxMs} | {(p.CpuMsPerOp is { } c ? c.ToString(inv) : "–")} | {p.Refused:N0} | {p.Errors:N0}{(p.ErrorsByKind.Count > 0 ? " (" + string.Join(", ", p.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}")) + ")" : "")} |");
        sb.AppendLine();
        sb.AppendLine("| process | peak memory MB | peak RSS since start (VmHWM) MB | avg CPU % (whole run) | peak CPU % |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var p in _processesByPhase.GetValueOrDefault("run") ?? [])
            sb.AppendLine(inv, $"| {p.Process} ({p.Memory}) | {p.PeakRssMb:N0} | {(p.PeakHwmMb > 0 ? p.PeakHwmMb.ToString("N0", inv) : "–")} | {p.AvgCpuPercent} | {p.PeakCpuPercent} |");
        sb.AppendLine();
        sb.AppendLine("Average CPU % per phase (100 % = one core):");
        sb.AppendLine();
        var names = (_processesByPhase.GetValueOrDefault("run") ?? []).Select(p => p.Process).ToList();
        sb.AppendLine("| phase | " + string.Join(" | ", names) + " |");
        sb.AppendLine("| --- |" + string.Concat(names.Select(_ => " ---: |")));
        foreach (var (phase, list) in _processesByPhase.Where(kv => kv.Key != "run"))
            sb.AppendLine($"| {phase} | " + string.Join(" | ", names.Select(n => list.FirstOrDefault(p => p.Process == n)?.AvgCpuPercent.ToString(inv) ?? "–")) + " |");
        sb.AppendLine();
        return sb.ToString();
    }

    private void PrintSummary(object _)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Phases[/]");
        foreach (var c in new[] { "phase", "count", "s", "ops/s", "units/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "refused", "errors" }) table.AddColumn(c);
        foreach (var p in _phases)
            table.AddRow(p.Phase + (p.Truncated ? " ⏱" : ""), p.Count.ToString("N0"), p.Seconds.ToString("N1"), p.PerSecond.ToString("N0"), p.UnitsPerSecond.ToString("N0"),
                p.P50Ms.ToString("N1"), p.P90Ms.ToString("N1"), p.P99Ms.ToString("N1"), p.MaxMs.ToString("N1"), p.Refused.ToString("N0"),
                p.Errors == 0 ? "0" : $"[red]{p.Errors:N0}[/] " + Markup.Escape(string.Join(", ", p.ErrorsByKind.Take(3).Select(e => $"{e.Key}×{e.Value}"))));
        AnsiConsole.Write(table);
        var procs = new Table().Border(TableBorder.Rounded).Title("[bold]Processes[/]");
        foreach (var c in new[] { "process", "pid", "peak MB", "VmHWM MB", "avg CPU %", "peak CPU %" }) procs.AddColumn(c);
        foreach (var p in _processesByPhase.GetValueOrDefault("run") ?? [])
            procs.AddRow(p.Process, p.Pid.ToString(), p.PeakRssMb.ToString("N0"), p.PeakHwmMb > 0 ? p.PeakHwmMb.ToString("N0") : "–", p.AvgCpuPercent.ToString(), p.PeakCpuPercent.ToString());
        AnsiConsole.Write(procs);
        PrintCpu();
        foreach (var note in _notes) AnsiConsole.MarkupLineInterpolated($"[yellow]note:[/] {note}");
    }

    private static double MemoryGb()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return double.Parse(line[9..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1048576.0;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { return 0; }
    }

    private string? GitCommit()
    {
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse --short HEAD") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(5_000);
            return p.ExitCode == 0 ? s : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return null; }
    }
}
