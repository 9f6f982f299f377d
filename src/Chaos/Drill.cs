using System.Diagnostics;
using System.Text;

namespace Sanmenxia.Chaos;

/// <summary>
/// One drill: prepare residents, start the load, run the chosen phases, verify the store, report PASS/FAIL.
/// The parts: Drill.Setup.cs (admin, villages, residents), Drill.Kill.cs (kill and hang), Drill.Postgres.cs, Drill.Rolling.cs
/// (the phases), Drill.Verification.cs (acknowledged and late writes, reminders, from the database rows), Drill.Counts.cs
/// (recounts against the read model and the grains); the checks and the report are here.
/// </summary>
public sealed partial class Drill(DrillOptions o)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly StringBuilder _report = new();
    private readonly List<(bool Ok, string Line)> _checks = [];
    private Api _api = null!;
    private Store _store = null!;
    private Script _script = null!;
    private string _admin = "";
    private string _runId = "";
    private List<DrillResident> _load = [];
    private List<DrillResident> _cohort = [];
    private string _cohortVillage = "";
    private double _speed = 1;
    private bool _simulated;
    private TimeSpan? _cohortAppliedAt;
    /// <summary>The system's time (/api/time) at <see cref="_systemTimeAt"/> on the drill's stopwatch: maps stored times to the drill's.</summary>
    private DateTimeOffset _systemTimeOrigin;
    private TimeSpan _systemTimeAt;
    private string LogFile => Path.Combine(o.DataDir, "logs", "chaos.log");

    public async Task<bool> RunAsync()
    {
        Directory.CreateDirectory(Path.Combine(o.DataDir, "logs"));
        var secrets = Secrets.Load(o.DataDir);
        _api = new Api(o.BaseUrl, o.RequestTimeout);
        _store = new Store(secrets.PgConnectionString, EnvOr("Orleans__ClusterId", "sanmenxia"), EnvOr("Orleans__ServiceId", "sanmenxia"));
        _script = new Script(o.Script, LogFile);
        var minter = new TokenMinter(secrets);

        Say($"Drill against {o.BaseUrl} (data {o.DataDir}); modes: {o.Modes}");
        await _api.GetJsonPatientlyAsync("health/ready", null, TimeSpan.FromSeconds(120));
        Say($"Scaling to {o.Silos} silos");
        await _script.RunAsync($"cluster {o.Silos}", TimeSpan.FromMinutes(5));
        _admin = await AdminTokenAsync(secrets);
        var asked = _clock.Elapsed;
        var time = await _api.GetJsonAsync("api/time", null);
        _systemTimeAt = (asked + _clock.Elapsed) / 2;
        _systemTimeOrigin = time.GetProperty("now").GetDateTimeOffset();
        _simulated = time.GetProperty("simulated").GetBoolean();
        _speed = time.GetProperty("speed").GetDouble();
        var villages = await VillagesAsync();
        await PrepareResidentsAsync(minter, villages);

        Say($"Load: {o.Workers} workers, {o.Rate} requests/s, {_load.Count} residents (needs + clock-ins)");
        var load = new Load(_api, _load, o, _clock, _runId);
        load.Start();
        var phases = new List<(string Name, PhaseFigures Figures)>();
        try
        {
            if (o.Steady > TimeSpan.Zero) phases.Add(await SteadyPhaseAsync(load));
            if (o.Modes.HasFlag(DrillModes.Kill)) phases.AddRange(await KillPhaseAsync(load, hang: false));
            if (o.Modes.HasFlag(DrillModes.Hang)) phases.AddRange(await KillPhaseAsync(load, hang: true));
            if (o.Modes.HasFlag(DrillModes.Postgres)) phases.Add(await PostgresPhaseAsync(load));
            if (o.Modes.HasFlag(DrillModes.Rolling)) phases.Add(await RollingPhaseAsync(load));
        }
        finally
        {
            await load.StopAsync();
        }
        var total = PhaseFigures.Of(load.Samples, TimeSpan.Zero, TimeSpan.MaxValue, TimeSpan.Zero);
        Check(total.Unexpected == 0, $"no unexpected reply in {total.Requests} requests (unexpected: {total.Unexpected}; retryable 503/502/504 with Retry-After: {total.Retryable}; connection errors: {total.ConnectionErrors})");
        foreach (var example in total.UnexpectedExamples) Line($"      unexpected: {example}");

        // From the database rows: acknowledged and late writes, then reminders (no grain touched until here), then counts.
        await VerifyStoreAsync();
        if (o.Modes.HasFlag(DrillModes.Kill) || o.Modes.HasFlag(DrillModes.Hang)) await VerifyRemindersAsync();
        await VerifyCountsAsync(villages);

        Line("");
        Line("Load by phase:");
        foreach (var (name, f) in phases)
        {
            Line($"  {name,-22} {f.Requests,6} requests  ok {f.Ok,6}  retryable {f.Retryable,4}  connection {f.ConnectionErrors,4}  unexpected {f.Unexpected,3}  max latency {PhaseFigures.Seconds(f.MaxLatency)}  p99 {f.P99LatencyMs:0} ms");
            foreach (var kind in f.FailureKinds) Line($"      {kind}");
        }
        var pass = _checks.All(c => c.Ok);
        Line("");
        foreach (var (ok, line) in _checks) Line($"  {(ok ? "PASS" : "FAIL")}  {line}");
        Line("");
        Line($"chaos verdict: {(pass ? "PASS" : "FAIL")} ({_checks.Count(c => c.Ok)}/{_checks.Count} checks)");
        await File.WriteAllTextAsync(Path.Combine(o.DataDir, "logs", $"chaos-{_runId}.txt"), _report.ToString());
        return pass;
    }

    /// <summary>Waits (bounded) until the load has run 3 s without a failure after <paramref name="since"/>.</summary>
    private async Task WaitStableAsync(Load load, TimeSpan since)
    {
        var deadline = since + o.RecoveryLimit + TimeSpan.FromSeconds(15);
        while (_clock.Elapsed < deadline)
        {
            var now = _clock.Elapsed;
            var recent = load.Samples.Where(s => s.End >= since).ToList();
            var lastFailure = recent.Where(s => s.Outcome != Outcome.Ok).Select(s => s.End).DefaultIfEmpty(since).Max();
            if (now - lastFailure >= TimeSpan.FromSeconds(3) && recent.Any(s => s.Outcome == Outcome.Ok && s.Start >= lastFailure)) return;
            await Task.Delay(250);
        }
    }

    // ------------------------------------------------------------------ report

    private static string Window(PhaseFigures f) => f.FirstFailure is { } first && f.LastFailureEnd is { } last
        ? $"{PhaseFigures.Seconds(last - first)} (first failed request started {first.TotalSeconds:0.00} s, last ended {last.TotalSeconds:0.00} s into the drill)"
        : "none (no request failed)";

    private void Check(bool ok, string line) => _checks.Add((ok, line));

    private static string EnvOr(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

    private void Say(string line)
    {
        Console.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
        _report.AppendLine($"[{_clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
    }

    private void Line(string line)
    {
        Console.WriteLine(line);
        _report.AppendLine(line);
    }
}
