using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sanmenxia.Identity;

namespace Sanmenxia.Chaos;

/// <summary>
/// ./sanmenxia chaos: under a paced HTTP load of residents, SIGKILL a silo (--kill), stop PostgreSQL for a few
/// seconds (--postgres) or roll every silo (--rolling); then prove from the store that no acknowledged write was
/// lost, that failures were retryable (503/502/504 with Retry-After, or connection errors) and short, and that
/// the dead silo's reminders fired on the survivors. Prints PASS/FAIL with figures; exit 1 on FAIL.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        DrillOptions options;
        try { options = DrillOptions.Parse(args); }
        catch (HelpRequested) { Console.WriteLine(DrillOptions.Help); return 0; }
        catch (Exception ex) when (ex is ArgumentException or FormatException) { Console.Error.WriteLine(ex.Message); return 2; }

        try
        {
            var drill = new Drill(options);
            return await drill.RunAsync() ? 0 : 1;
        }
        catch (DrillException ex)
        {
            Console.Error.WriteLine($"chaos: the drill could not run: {ex.Message}");
            return 2;
        }
    }
}

public sealed class Drill(DrillOptions o)
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
    private string LogFile => Path.Combine(o.DataDir, "logs", "chaos.log");

    public async Task<bool> RunAsync()
    {
        Directory.CreateDirectory(Path.Combine(o.DataDir, "logs"));
        var secrets = Secrets.Load(o.DataDir);
        _api = new Api(o.BaseUrl, o.RequestTimeout);
        _store = new Store(secrets.PgConnectionString, Environment.GetEnvironmentVariable("Orleans__ClusterId") is { Length: > 0 } c ? c : "sanmenxia");
        _script = new Script(o.Script, LogFile);
        var minter = new TokenMinter(secrets);

        Say($"Drill against {o.BaseUrl} (data {o.DataDir}); modes: {o.Modes}");
        await _api.GetJsonPatientlyAsync("health/ready", null, TimeSpan.FromSeconds(120));
        Say($"Scaling to {o.Silos} silos");
        await _script.RunAsync($"cluster {o.Silos}", TimeSpan.FromMinutes(5));
        _admin = await AdminTokenAsync(secrets);
        var time = await _api.GetJsonAsync("api/time", null);
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
            if (o.Modes.HasFlag(DrillModes.Kill)) phases.AddRange(await KillPhaseAsync(load));
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

        await VerifyStoreAsync();
        if (o.Modes.HasFlag(DrillModes.Kill)) await VerifyRemindersAsync();

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

    // ------------------------------------------------------------------ phases

    private async Task<IEnumerable<(string, PhaseFigures)>> KillPhaseAsync(Load load)
    {
        var phaseStart = _clock.Elapsed;
        await ApplyCohortAsync();
        var cohortKeys = _cohort.Select(r => r.Key).ToList();
        var remindersBefore = _cohort.Count == 0 ? 0 : await _store.CountRemindersAsync(cohortKeys);
        await Task.Delay(o.Before);

        var (index, pid) = PickSilo();
        var port = SiloPortBase + index;
        var membership = await _store.MembershipAsync();
        var row = membership.Where(m => m.Port == port && m.Status == Store.Active).MaxBy(m => m.Generation)
            ?? throw new DrillException($"silo {index} (port {port}) is not Active in the membership table");
        Say($"SIGKILL silo {index} (pid {pid}, port {port})");
        var killAt = _clock.Elapsed;
        using (var process = Process.GetProcessById(pid)) process.Kill(); // SIGKILL on Unix

        TimeSpan? declaredDead = null;
        var deadline = killAt + TimeSpan.FromSeconds(60);
        while (_clock.Elapsed < deadline)
        {
            try
            {
                var rows = await _store.MembershipAsync();
                if (rows.Any(m => m.Port == port && m.Generation == row.Generation && m.Status == Store.Dead)) { declaredDead = _clock.Elapsed - killAt; break; }
            }
            catch (Npgsql.NpgsqlException) { }
            await Task.Delay(100);
        }
        Say($"Membership declared silo {index} dead after {PhaseFigures.Seconds(declaredDead)}");
        await WaitStableAsync(load, killAt);
        await Task.Delay(o.After);
        var remindersAfter = _cohort.Count == 0 ? 0 : await _store.CountRemindersAsync(cohortKeys);
        var failoverEnd = _clock.Elapsed;
        var f = PhaseFigures.Of(load.Samples, phaseStart, failoverEnd, killAt);

        Say($"Restarting silo {index} (./sanmenxia cluster {o.Silos})");
        var rejoinAt = _clock.Elapsed;
        await _script.RunAsync($"cluster {o.Silos}", TimeSpan.FromMinutes(5));
        var rejoined = _clock.Elapsed - rejoinAt;
        await WaitStableAsync(load, rejoinAt);
        var rejoin = PhaseFigures.Of(load.Samples, failoverEnd, _clock.Elapsed, rejoinAt);

        var recovery = f.RecoveredAt - killAt;
        Line("");
        Line($"Silo kill (SIGKILL silo {index}):");
        Line($"  membership declared it dead after   {PhaseFigures.Seconds(declaredDead)}");
        Line($"  error window                         {Window(f)}");
        Line($"  failover time (kill → first success after the last failure)  {PhaseFigures.Seconds(recovery)}");
        Line($"  failed requests                      {f.Failed} of {f.Requests} (retryable {f.Retryable}, connection {f.ConnectionErrors}, unexpected {f.Unexpected}); max latency {PhaseFigures.Seconds(f.MaxLatency)}");
        Line($"  reminder rows of the cohort          before kill {remindersBefore}, after failover {remindersAfter}");
        Line($"  silo rejoined (./sanmenxia cluster)  in {PhaseFigures.Seconds(rejoined)}; failed requests while it joined: {rejoin.Failed} (unexpected {rejoin.Unexpected})");
        Check(declaredDead is { } d && d <= o.RecoveryLimit, $"membership declared the SIGKILLed silo dead within {o.RecoveryLimit.TotalSeconds:0} s ({PhaseFigures.Seconds(declaredDead)})");
        Check(recovery is { } r && r <= o.RecoveryLimit, $"writes succeeded again within {o.RecoveryLimit.TotalSeconds:0} s of the kill ({PhaseFigures.Seconds(recovery)})");
        Check(f.Unexpected == 0 && rejoin.Unexpected == 0, $"every failed request around the kill was retryable ({f.Failed + rejoin.Failed} failed, {f.Unexpected + rejoin.Unexpected} unexpected)");
        if (_cohort.Count > 0)
            Check(remindersAfter >= remindersBefore, $"no reminder row lost with the dead silo ({remindersBefore} → {remindersAfter})");
        return [("silo kill", f), ("silo rejoin", rejoin)];
    }

    private async Task<(string, PhaseFigures)> PostgresPhaseAsync(Load load)
    {
        var phaseStart = _clock.Elapsed;
        await Task.Delay(o.Before);
        Say("Stopping PostgreSQL");
        var stopAt = _clock.Elapsed;
        await _script.RunAsync("pg stop", TimeSpan.FromMinutes(2));
        var stoppedAt = _clock.Elapsed;
        await Task.Delay(o.PostgresDown);
        Say("Starting PostgreSQL");
        var startAt = _clock.Elapsed;
        await _script.RunAsync("pg start", TimeSpan.FromMinutes(2));
        var upAt = _clock.Elapsed;
        await WaitStableAsync(load, upAt);
        await Task.Delay(o.After);
        var f = PhaseFigures.Of(load.Samples, phaseStart, _clock.Elapsed, upAt);
        var whileDown = load.Samples.Where(s => s.Start >= stoppedAt && s.End <= startAt).ToList();
        var answered503 = whileDown.Count(s => s.Outcome == Outcome.Retryable);
        var ackedWhileDown = whileDown.Count(s => s.Outcome == Outcome.Ok);
        var recovery = f.RecoveredAt - upAt;

        Line("");
        Line($"PostgreSQL restart (down {PhaseFigures.Seconds(startAt - stopAt)}):");
        Line($"  error window                         {Window(f)}");
        Line($"  requests while it was down           {whileDown.Count}: 503 + Retry-After {answered503}, acknowledged {ackedWhileDown}");
        Line($"  recovery (PostgreSQL up → first success after the last failure)  {PhaseFigures.Seconds(recovery)}");
        Line($"  failed requests                      {f.Failed} of {f.Requests} (retryable {f.Retryable}, connection {f.ConnectionErrors}, unexpected {f.Unexpected})");
        Check(f.Unexpected == 0, $"while PostgreSQL was down every failure was a 503 with Retry-After or a connection error ({f.Failed} failed, {f.Unexpected} unexpected)");
        Check(whileDown.Count == 0 || answered503 > 0, $"the API answered 503 + Retry-After while PostgreSQL was down ({answered503} of {whileDown.Count})");
        Check(ackedWhileDown == 0, $"no write was acknowledged while PostgreSQL was down ({ackedWhileDown})");
        Check(recovery is { } r && r <= o.RecoveryLimit, $"the system recovered by itself within {o.RecoveryLimit.TotalSeconds:0} s of PostgreSQL's start ({PhaseFigures.Seconds(recovery)})");
        return ("postgres restart", f);
    }

    private async Task<(string, PhaseFigures)> RollingPhaseAsync(Load load)
    {
        await Task.Delay(o.Before);
        Say("Rolling restart of every silo (./sanmenxia restart)");
        var startAt = _clock.Elapsed;
        await _script.RunAsync("restart", TimeSpan.FromMinutes(10));
        var doneAt = _clock.Elapsed;
        await Task.Delay(o.After);
        var f = PhaseFigures.Of(load.Samples, startAt, _clock.Elapsed, startAt);
        Line("");
        Line($"Rolling restart of {o.Silos} silos: took {PhaseFigures.Seconds(doneAt - startAt)}");
        Line($"  failed requests                      {f.Failed} of {f.Requests} (retryable {f.Retryable}, connection {f.ConnectionErrors}, unexpected {f.Unexpected}); max latency {PhaseFigures.Seconds(f.MaxLatency)}, p99 {f.P99LatencyMs:0} ms");
        Check(f.Failed == 0, $"rolling restart under load: zero failed requests ({f.Failed} of {f.Requests})");
        return ("rolling restart", f);
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

    // ------------------------------------------------------------------ verification

    private async Task VerifyStoreAsync()
    {
        Say("Verifying every acknowledged write against the store (GET /api/residents/me as each resident)");
        int acked = 0, lost = 0, unackedStored = 0, unacked = 0, clockChecked = 0, clockWrong = 0, unreadable = 0;
        var examples = new List<string>();
        await Parallel.ForEachAsync(_load.Concat(_cohort), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, _) =>
        {
            JsonElement me;
            try { me = await _api.GetJsonPatientlyAsync("api/residents/me", r.Token, TimeSpan.FromSeconds(30)); }
            catch (DrillException ex) { Interlocked.Increment(ref unreadable); lock (examples) examples.Add($"resident {r.Index}: {ex.Message}"); return; }
            var stored = me.GetProperty("needs").EnumerateArray().Select(n => n.GetProperty("detail").GetString()).ToHashSet();
            var missing = r.AcknowledgedNeeds.Where(d => !stored.Contains(d)).ToList();
            Interlocked.Add(ref acked, r.AcknowledgedNeeds.Count);
            Interlocked.Add(ref lost, missing.Count);
            Interlocked.Add(ref unacked, r.UnacknowledgedNeeds.Count);
            Interlocked.Add(ref unackedStored, r.UnacknowledgedNeeds.Count(stored.Contains));
            if (missing.Count > 0) lock (examples) examples.Add($"resident {r.Index} ({r.Key}) lost {string.Join(", ", missing.Take(3))}");
            if (r.LastAcknowledgedClockIn >= 0)
            {
                Interlocked.Increment(ref clockChecked);
                // The last acknowledged reading, or a later attempt that failed on the way back but was written.
                var allowed = r.ClockIns.Skip(r.LastAcknowledgedClockIn).ToHashSet();
                var temperature = me.TryGetProperty("selfReport", out var report) && report.ValueKind == JsonValueKind.Object
                    && report.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDecimal() : (decimal?)null;
                if (temperature is not { } value || !allowed.Contains(value))
                {
                    Interlocked.Increment(ref clockWrong);
                    lock (examples) examples.Add($"resident {r.Index}: stored temperature {temperature} is not the last acknowledged clock-in {r.ClockIns[r.LastAcknowledgedClockIn]}");
                }
            }
        });
        Line("");
        Line("Store:");
        Line($"  acknowledged needs {acked}: lost {lost}; failed need requests {unacked}, of which stored anyway {unackedStored}");
        Line($"  clock-ins: {clockChecked} residents checked, last acknowledged reading missing for {clockWrong}");
        foreach (var e in examples.Take(8)) Line($"      {e}");
        Check(unreadable == 0, $"every resident's grain reactivated with its state ({_load.Count + _cohort.Count - unreadable}/{_load.Count + _cohort.Count} readable)");
        Check(acked > 0 && lost == 0, $"zero acknowledged needs lost ({lost} of {acked})");
        Check(clockWrong == 0, $"every resident's last acknowledged clock-in is in the store ({clockWrong} wrong of {clockChecked})");
    }

    private async Task VerifyRemindersAsync()
    {
        if (_cohort.Count == 0 || _cohortAppliedAt is not { } appliedAt) return;
        if (!_simulated)
        {
            Line("  (reminder check skipped: the system runs in real time; ./sanmenxia chaos starts it with SANMENXIA_SIMULATION_SPEED)");
            return;
        }
        // Applied on day A (which counts as A's clock-in); A+1 has no clock-in, so the reminder after midnight A+2
        // turns the code yellow. Wait up to 2 simulated days and a half after the application, plus slack.
        var day = TimeSpan.FromSeconds(86400 / _speed);
        var deadline = appliedAt + day * 2.5 + TimeSpan.FromSeconds(20);
        Say($"Waiting (at most {Math.Max(0, (deadline - _clock.Elapsed).TotalSeconds):0} s more) for the cohort's day-close reminders to turn its {_cohort.Count} codes yellow");
        var keys = _cohort.Select(r => r.Key).ToHashSet();
        HashSet<string> turned = [];
        while (true)
        {
            turned = [];
            foreach (var colour in new[] { "Yellow", "Red" })
            {
                var page = await _api.GetJsonPatientlyAsync($"api/villages/{_cohortVillage}/residents?colour={colour}&take=500", _admin, TimeSpan.FromSeconds(30));
                foreach (var item in page.GetProperty("items").EnumerateArray())
                    if (item.GetProperty("residentKey").GetString() is { } k && keys.Contains(k)) turned.Add(k);
            }
            if (turned.Count == keys.Count || _clock.Elapsed > deadline) break;
            await Task.Delay(1000);
        }
        var firedAfter = _clock.Elapsed - appliedAt;
        Line($"  reminder cohort: {turned.Count}/{keys.Count} codes turned yellow by their day-close reminder (checked {PhaseFigures.Seconds(firedAfter)} after they applied; a simulated day is {day.TotalSeconds:0.#} s)");
        Check(turned.Count == keys.Count, $"day-close reminders fired for every cohort resident after the kill, including those the dead silo owned ({turned.Count}/{keys.Count})");
    }

    // ------------------------------------------------------------------ setup

    private async Task<string> AdminTokenAsync(Secrets secrets)
    {
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(60);
        while (true)
        {
            var reply = await _api.SendAsync(HttpMethod.Post, "api/auth/staff/login", null, new { username = secrets.AdminUsername, password = secrets.AdminPassword });
            if (reply.Outcome == Outcome.Ok) return JsonDocument.Parse(reply.Body).RootElement.GetProperty("token").GetString()!;
            if (_clock.Elapsed > deadline) throw new DrillException($"cannot sign in as {secrets.AdminUsername}: {reply.Status} {Api.Trim(reply.Body)}");
            await Task.Delay(500);
        }
    }

    private async Task<List<string>> VillagesAsync()
    {
        var counties = await _api.GetJsonAsync("api/regions?parent=411200", null);
        if (counties.GetArrayLength() == 0)
        {
            Say("No regions yet: generating the synthetic tree (seed 2020, 60 villages)");
            await _api.PostJsonAsync("api/admin/regions/generate", _admin, new { seed = 2020, villages = 60 });
            counties = await _api.GetJsonAsync("api/regions?parent=411200", null);
        }
        var villages = new List<string>();
        foreach (var county in counties.EnumerateArray())
            foreach (var township in (await _api.GetJsonAsync($"api/regions?parent={county.GetProperty("code").GetString()}", null)).EnumerateArray())
                foreach (var village in (await _api.GetJsonAsync($"api/regions?parent={township.GetProperty("code").GetString()}", null)).EnumerateArray())
                    villages.Add(village.GetProperty("code").GetString()!);
        if (villages.Count == 0) throw new DrillException("the region tree has no villages");
        villages.Sort(StringComparer.Ordinal);
        return villages;
    }

    private async Task PrepareResidentsAsync(TokenMinter minter, List<string> villages)
    {
        // A fresh block of ID numbers per run (birth date = run number), so every run registers new residents.
        var seqFile = Path.Combine(o.DataDir, "chaos.seq");
        var run = File.Exists(seqFile) && int.TryParse(File.ReadAllText(seqFile).Trim(), out var last) ? last + 1 : 1;
        await File.WriteAllTextAsync(seqFile, run.ToString(CultureInfo.InvariantCulture));
        _runId = run.ToString(CultureInfo.InvariantCulture);
        var birth = new DateOnly(1940, 1, 1).AddDays(run % 20000);
        _cohortVillage = villages[^1];
        var csv = new StringBuilder("household,name,id_number,phone,village_code,head\n");
        var all = new List<(int Index, string Key, string PhoneKey, bool Cohort)>();
        for (var i = 0; i < o.Residents + o.Cohort; i++)
        {
            var cohort = i >= o.Residents;
            var id = ResidentIdNumber.Create("411202", birth, i + 1).Value;
            var phone = PhoneNumber.Parse("135" + ((run * 1000L + i) % 100_000_000).ToString("D8", CultureInfo.InvariantCulture)).Value;
            var village = cohort ? _cohortVillage : villages[i % Math.Max(1, villages.Count - 1)];
            csv.Append(CultureInfo.InvariantCulture, $"chaos-{run}-{i},演练{i},{id},{phone},{village},true\n");
            all.Add((i, minter.Keys.ForIdNumber(id), minter.Keys.ForPhone(phone), cohort));
        }
        Say($"Run {run}: importing {all.Count} residents ({o.Residents} under load, {o.Cohort} in the reminder cohort, village {_cohortVillage})");
        var report = await _api.PostJsonAsync("api/admin/residents/import", _admin, csv: csv.ToString());
        var imported = report.GetProperty("imported").GetInt32() + report.GetProperty("alreadyRegistered").GetInt32();
        if (imported != all.Count) throw new DrillException($"import registered {imported} of {all.Count}: {Api.Trim(report.ToString())}");
        foreach (var (index, key, phoneKey, cohort) in all)
            (cohort ? _cohort : _load).Add(new DrillResident(index, key, phoneKey, minter.Resident(key, phoneKey)));

        var check = await _api.SendAsync(HttpMethod.Get, "api/residents/me", _load[0].Token);
        if (check.Outcome != Outcome.Ok) throw new DrillException($"the API refused a minted resident token ({check.Status}): is Auth__SigningKey the one the API runs with? {Api.Trim(check.Body)}");
        await ApplyAllAsync(_load);
    }

    private async Task ApplyCohortAsync()
    {
        if (_cohort.Count == 0) return;
        Say($"Reminder cohort: {_cohort.Count} residents apply now and never clock in");
        await ApplyAllAsync(_cohort);
        _cohortAppliedAt = _clock.Elapsed;
    }

    private async Task ApplyAllAsync(IEnumerable<DrillResident> residents) =>
        await Parallel.ForEachAsync(residents, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, _) =>
        {
            var reply = await _api.SendAsync(HttpMethod.Post, "api/residents/me/apply", r.Token, new { temperature = 36.5m, honestyPledge = true });
            if (reply.Outcome != Outcome.Ok && !reply.Body.Contains("already applied", StringComparison.Ordinal))
                throw new DrillException($"resident {r.Index} could not apply: {reply.Status} {Api.Trim(reply.Body)}");
        });

    // ------------------------------------------------------------------ helpers

    private static int SiloPortBase => int.TryParse(Environment.GetEnvironmentVariable("SANMENXIA_SILO_PORT"), out var p) ? p : 11111;

    private (int Index, int Pid) PickSilo()
    {
        var run = Path.Combine(o.DataDir, "run");
        var alive = Directory.GetFiles(run, "silo-*.pid")
            .Select(f => (Index: int.Parse(Path.GetFileNameWithoutExtension(f)["silo-".Length..], CultureInfo.InvariantCulture), Pid: int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture)))
            .Where(s => IsAlive(s.Pid))
            .OrderBy(s => s.Index)
            .ToList();
        if (alive.Count < 2) throw new DrillException($"need at least two running silos to kill one, found {alive.Count} in {run}");
        if (o.KillIndex < 0) return alive[^1];
        return alive.FirstOrDefault(s => s.Index == o.KillIndex) is { Pid: > 0 } chosen ? chosen : throw new DrillException($"silo {o.KillIndex} is not running");
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    private static string Window(PhaseFigures f) => f.FirstFailure is { } first && f.LastFailureEnd is { } last
        ? $"{PhaseFigures.Seconds(last - first)} (first failed request started {first.TotalSeconds:0.00} s, last ended {last.TotalSeconds:0.00} s into the drill)"
        : "none (no request failed)";

    private void Check(bool ok, string line) => _checks.Add((ok, line));

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
