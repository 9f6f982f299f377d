using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Sanmenxia.Regions;
using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>
/// One run: set up (admin, regions, population), the pgbench baseline, the phases, the report. The parts:
/// LoadTestRun.Setup.cs (admin, regions, token check), LoadTestRun.Register.cs, LoadTestRun.ResidentPhases.cs (apply,
/// clock-in, code reads), LoadTestRun.StaffPhases.cs (checkpoint scans, village lists), LoadTestRun.Tickets.cs, LoadTestRun.Sweep.cs and
/// LoadTestRun.Report.cs (database facts, result file, Markdown, console summary).
/// </summary>
public sealed partial class LoadTestRun(LoadTestOptions o)
{
    private readonly string _root = FindRoot();
    private readonly List<PhaseResult> _phases = [];
    private readonly Dictionary<string, List<ProcessSummary>> _processesByPhase = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];
    private Population _population = null!;
    private TokenTable _tokens = null!;
    private ApiClient _api = null!;
    /// <summary>The hot resident requests' sender with --sender raw (null with --sender httpclient).</summary>
    private RawHttpSender? _raw;
    private string _adminToken = "";
    private int[] _applied = [];
    private bool[]? _hasCode;
    private Secrets _secrets = null!;

    public async Task<int> RunAsync()
    {
        var dataDir = o.DataDir ?? (Environment.GetEnvironmentVariable("SANMENXIA_DATA") is { Length: > 0 } d ? d : Path.Combine(_root, ".data"));
        var secrets = _secrets = Secrets.Load(dataDir);
        _api = new ApiClient(o.BaseUrl, Math.Max(o.Concurrency, o.Rate is null ? 0 : o.MaxInFlight) + o.ImportParallel + 32);
        _raw = o.Sender == "raw" ? new RawHttpSender(o.BaseUrl) : null;
        var runStarted = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();

        AnsiConsole.Write(new Rule($"[bold]Sanmenxia load test[/] {(o.Smoke ? "(smoke) " : "")}{o.Residents:N0} residents → {o.BaseUrl}").LeftJustified());

        // ---------------------------------------------------------------- the system is up and we are admin
        try
        {
            var (ready, body) = await _api.SendAsync(HttpMethod.Get, "health/ready", null);
            if (ready != HttpStatusCode.OK) throw new LoadTestException($"the system is not ready ({(int)ready}): {ApiClient.Trim(body)}. Run ./sanmenxia up first.");
        }
        catch (HttpRequestException e) { throw new LoadTestException($"no API at {o.BaseUrl} ({e.Message}). Run ./sanmenxia up first."); }
        _adminToken = await LoginAsync(secrets.AdminUsername, secrets.AdminPassword);

        // ---------------------------------------------------------------- the region tree the system holds
        var regionInfo = await EnsureRegionsAsync();
        var tree = SanmenxiaRegions.GenerateSyntheticTree(o.Seed, regionInfo.Villages);

        // ---------------------------------------------------------------- the population
        var generation = Stopwatch.StartNew();
        _population = Population.Generate(tree, o.Residents, o.Seed, o.Cohort);
        _tokens = new TokenTable(secrets.SigningKey, secrets.KeySecret, _population.Count, _population.IdNumber, _population.SignInPhone,
            DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromDays(1));
        AnsiConsole.MarkupLineInterpolated($"Population: {_population.Count:N0} residents in {_population.Households:N0} households over {_population.Villages.Count:N0} villages, {_population.AdultsWithPhone():N0} with phones (generated in {generation.Elapsed.TotalSeconds:F1} s, seed {o.Seed}, cohort {o.Cohort})");
        await CheckMintedTokenAsync();

        // ---------------------------------------------------------------- measure
        var watched = ProcessSampler.Discover(dataDir);
        watched.InsertRange(0, o.Watch.Select(w => new Watched(w.Name, w.Pid, false)));
        AnsiConsole.MarkupLineInterpolated($"Sampling: {string.Join(", ", watched.Select(w => $"{w.Name} (pid {w.Pid})"))}");
        PgBenchResult? pgbench = null;
        await using (var sampler = new ProcessSampler(watched))
        {
            PhaseRecorder.CpuClock = sampler.CpuSnapshot; // exact CPU seconds at each phase's first send and last answer
            if (o.Phases.Contains("pgbench"))
            {
                if (o.PgBenchSeconds > 0)
                {
                    AnsiConsole.MarkupLineInterpolated($"pgbench: durable single-row upsert, {o.PgBenchClients} clients, {o.PgBenchSeconds} s …");
                    var from = sampler.Now;
                    pgbench = await PgBench.RunAsync(secrets, o.PgBenchSeconds, o.PgBenchClients, CancellationToken.None);
                    _processesByPhase["pgbench"] = sampler.Summaries(from, sampler.Now);
                    if (pgbench.Ran) AnsiConsole.MarkupLineInterpolated($"pgbench: [bold]{pgbench.Tps:N0} TPS[/], {pgbench.LatencyAvgMs} ms average");
                    else AnsiConsole.MarkupLineInterpolated($"pgbench skipped: {pgbench.Skipped}");
                }
                else pgbench = new PgBenchResult(false, "--pgbench-seconds 0", o.PgBenchClients, 0, 0, 0, 0, "");
            }

            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    async Task Phase(string key, string title, Func<ProgressTask, Task<PhaseRecorder>> run)
                    {
                        if (!o.Phases.Contains(key)) return;
                        var task = ctx.AddTask(title);
                        var from = sampler.Now;
                        var recorder = await run(task);
                        task.Value = task.MaxValue;
                        task.StopTask();
                        var r = recorder.Result();
                        _processesByPhase[key == "tickets" ? r.Phase : key] = sampler.Summaries(from, sampler.Now);
                        _phases.Add(r);
                        AnsiConsole.MarkupLineInterpolated($"  {title}: {r.Count:N0} ops ({r.Units:N0} units) in {r.Seconds:N1} s = [bold]{r.UnitsPerSecond:N0}/s[/], p50 {r.P50Ms} ms, p99 {r.P99Ms} ms, errors {r.Errors:N0}, refused {r.Refused:N0}{(r.Truncated ? " (deadline)" : "")}{(r.CpuPerOp is { } c ? $", system CPU {c.SystemMsPerOp} ms/op ({c.SystemCoresBusy} cores busy)" : "")}");
                    }

                    await Phase("register", "register (CSV import)", RegisterAsync);
                    _applied = ApplySet();
                    await Phase("apply", "apply for a code", ApplyAsync);
                    await Phase("clockin", "daily clock-in", ClockInAsync);
                    await Phase("code", "read own code", CodeReadsAsync);
                    await Phase("scan", "checkpoint scans", ScansAsync);
                    await Phase("village", "village resident lists", VillageQueriesAsync);
                    await Phase("sweep", "day-close sweep (simulated midnight)", task => SweepAsync(task, dataDir, secrets));
                    if (o.Phases.Contains("tickets"))
                    {
                        await Phase("tickets", "tickets: hotline calls", task => TicketCreatesAsync(task, burst: false));
                        await Phase("tickets", "tickets: lead burst", task => TicketCreatesAsync(task, burst: true));
                        await Phase("tickets", "tickets: transitions", TicketTransitionsAsync);
                        await Phase("tickets", "tickets: queue pages", TicketQueueAsync);
                    }
                });

            _raw?.Dispose();
            _processesByPhase["run"] = sampler.Summaries();
            PhaseRecorder.CpuClock = null;
            var database = await DatabaseFactsAsync(secrets);
            var result = BuildResult(runStarted, wall.Elapsed, regionInfo, pgbench, sampler, database);
            var (jsonPath, mdPath) = await WriteAsync(result);
            PrintSummary(result);
            AnsiConsole.MarkupLineInterpolated($"Results: [bold]{Path.GetRelativePath(_root, jsonPath)}[/] and [bold]{Path.GetRelativePath(_root, mdPath)}[/]");
        }
        return _phases.Any(p => p.Count > 0 && p.Errors > p.Count / 100) ? 3 : 0;
    }

    // ==================================================================== helpers shared by the phases

    private static (Outcome, string?) Classify(int status, string? body)
    {
        if (status is >= 200 and < 300) return (Outcome.Ok, null);
        if (status == 422)
        {
            // The rules refused (e.g. "already applied" on a re-run): an answer, not a failure.
            var detail = "";
            try { detail = JsonDocument.Parse(body ?? "{}").RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : ""; } catch (JsonException) { }
            return (Outcome.Refused, "422 " + (detail.Length > 60 ? detail[..60] : detail));
        }
        return (Outcome.Error, $"HTTP {status}");
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Sanmenxia.Orleans.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
