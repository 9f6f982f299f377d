using System.Diagnostics;
using System.Globalization;

namespace Sanmenxia.Chaos;

/// <summary>
/// Phases --kill and --hang: SIGKILL (a crash) or SIGSTOP (a hung process, sockets open; SIGCONT after --hang-for)
/// a silo under load, chosen at random or by --kill-index; time membership and failover against the issue's goals
/// (served again within 5 s after a crash, 10 s after a hang, requests in flight included); let it rejoin.
/// </summary>
public sealed partial class Drill
{
    private async Task<IEnumerable<(string, PhaseFigures)>> KillPhaseAsync(Load load, bool hang)
    {
        var limit = hang ? o.HangLimit : o.KillLimit;
        var signal = hang ? "SIGSTOP" : "SIGKILL";
        var phaseStart = _clock.Elapsed;
        // The cohort's days are closed by their villages' day close (docs/reminders.md), driven by each village's day-roll
        // reminder: those rows must be there before the failure and none lost with the failed silo.
        await ApplyCohortAsync();
        var cohortVillages = _cohort.Count == 0 ? [] : (await _store.ResidentStatesAsync(_cohort.Select(r => r.Key).ToList())).Values
            .Select(r => r.State.VillageCode).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var remindersBefore = cohortVillages.Count == 0 ? 0 : await _store.CountDayRollRemindersAsync(cohortVillages);
        await Task.Delay(o.Before);

        var (index, pid) = PickSilo();
        var port = SiloPortBase + index;
        var membership = await _store.MembershipAsync();
        var row = membership.Where(m => m.Port == port && m.Status == Store.Active).MaxBy(m => m.Generation)
            ?? throw new DrillException($"silo {index} (port {port}) is not Active in the membership table");
        Say($"{signal} silo {index} (pid {pid}, port {port}){(hang ? $"; SIGCONT after {o.HangFor.TotalSeconds:0} s" : "")}");
        var at = _clock.Elapsed;
        if (hang) await SignalAsync("STOP", pid);
        else using (var process = Process.GetProcessById(pid)) process.Kill(); // SIGKILL on Unix

        TimeSpan? declaredDead = null, resumedAt = null;
        var deadline = at + TimeSpan.FromSeconds(60);
        try
        {
            while (_clock.Elapsed < deadline && (declaredDead is null || (hang && resumedAt is null)))
            {
                if (hang && resumedAt is null && _clock.Elapsed - at >= o.HangFor)
                {
                    await SignalAsync("CONT", pid);
                    resumedAt = _clock.Elapsed;
                    Say($"SIGCONT silo {index} (declared dead {(declaredDead is null ? "not yet" : "before")})");
                }
                try
                {
                    if (declaredDead is null && (await _store.MembershipAsync()).Any(m => m.Port == port && m.Generation == row.Generation && m.Status == Store.Dead))
                        declaredDead = _clock.Elapsed - at;
                }
                catch (Npgsql.NpgsqlException) { }
                await Task.Delay(100);
            }
        }
        finally
        {
            if (hang && resumedAt is null) { await SignalAsync("CONT", pid); resumedAt = _clock.Elapsed; }
        }
        Say($"Membership declared silo {index} dead after {PhaseFigures.Seconds(declaredDead)}");
        await WaitStableAsync(load, resumedAt ?? at);
        await Task.Delay(o.After);
        var remindersAfter = cohortVillages.Count == 0 ? 0 : await _store.CountDayRollRemindersAsync(cohortVillages);
        var failoverEnd = _clock.Elapsed;
        // The goal's window: up to SIGCONT for a hang (what the resumed process does after is reported apart).
        var f = PhaseFigures.Of(load.Samples, phaseStart, resumedAt ?? failoverEnd, at);
        var resumed = resumedAt is { } r0 ? PhaseFigures.Of(load.Samples, r0, failoverEnd, r0) : null;
        var servedAgain = ServedAgain(load.Samples, at, resumedAt ?? failoverEnd);

        Say($"Restarting silo {index} if needed (./sanmenxia cluster {o.Silos})");
        var rejoinAt = _clock.Elapsed;
        await _script.RunAsync($"cluster {o.Silos}", TimeSpan.FromMinutes(5));
        var rejoined = _clock.Elapsed - rejoinAt;
        await WaitStableAsync(load, rejoinAt);
        var rejoin = PhaseFigures.Of(load.Samples, failoverEnd, _clock.Elapsed, rejoinAt);

        var recovery = f.RecoveredAt - at;
        var name = hang ? "hung silo" : "silo kill";
        Line("");
        Line($"{(hang ? "Hung silo" : "Silo kill")} ({signal} silo {index}{(hang ? $", SIGCONT after {PhaseFigures.Seconds(resumedAt - at)}" : "")}):");
        Line($"  membership declared it dead after   {PhaseFigures.Seconds(declaredDead)}");
        Line($"  error window                         {Window(f)}");
        Line($"  served again (last failure or in-flight request ended)  {PhaseFigures.Seconds(servedAgain)} after the {signal}");
        Line($"  failover time ({signal} → first success after the last failure)  {PhaseFigures.Seconds(recovery)}");
        Line($"  failed requests                      {f.Failed} of {f.Requests} (retryable {f.Retryable}, connection {f.ConnectionErrors}, unexpected {f.Unexpected}); max latency {PhaseFigures.Seconds(f.MaxLatency)}");
        if (resumed is not null)
            Line($"  after SIGCONT (the process learns it was declared dead)  failed {resumed.Failed} of {resumed.Requests} (unexpected {resumed.Unexpected}); max latency {PhaseFigures.Seconds(resumed.MaxLatency)}");
        Line($"  day-roll reminder rows of the cohort's {cohortVillages.Count} villages  before {remindersBefore}, after failover {remindersAfter}");
        Line($"  silo rejoined (./sanmenxia cluster)  in {PhaseFigures.Seconds(rejoined)}; failed requests while it joined: {rejoin.Failed} (unexpected {rejoin.Unexpected})");
        var goal = limit.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        Check(declaredDead is { } d && d <= limit, $"{name}: membership declared it dead within {goal} s ({PhaseFigures.Seconds(declaredDead)})");
        Check(servedAgain <= limit, $"{name}: its grains served again within {goal} s, requests in flight included ({PhaseFigures.Seconds(servedAgain)})");
        Check(f.Unexpected == 0 && rejoin.Unexpected == 0 && (resumed?.Unexpected ?? 0) == 0,
            $"{name}: every failed request was retryable ({f.Failed + rejoin.Failed + (resumed?.Failed ?? 0)} failed, {f.Unexpected + rejoin.Unexpected + (resumed?.Unexpected ?? 0)} unexpected)");
        if (cohortVillages.Count > 0)
            Check(remindersBefore == cohortVillages.Count && remindersAfter >= remindersBefore,
                $"{name}: every village of the cohort had its day-roll reminder row and none was lost with the failed silo ({remindersBefore} of {cohortVillages.Count} → {remindersAfter})");
        var phases = new List<(string, PhaseFigures)> { (name, f) };
        if (resumed is not null) phases.Add(("after SIGCONT", resumed));
        phases.Add(($"{name} rejoin", rejoin));
        return phases;
    }

    /// <summary>
    /// Time from the failure until the service is whole again: the later of the last failed request's end and the end
    /// of the slowest request that was already in flight at the failure (a request that waited out a timeout and then
    /// succeeded was not served in time either).
    /// </summary>
    private static TimeSpan ServedAgain(IEnumerable<Sample> samples, TimeSpan at, TimeSpan until)
    {
        var relevant = samples.Where(s => s.End > at && s.Start < until).ToList();
        var lastFailure = relevant.Where(s => s.Outcome != Outcome.Ok).Select(s => s.End).DefaultIfEmpty(at).Max();
        var inFlight = relevant.Where(s => s.Start <= at).Select(s => s.End).DefaultIfEmpty(at).Max();
        return (lastFailure > inFlight ? lastFailure : inFlight) - at;
    }

    private static int SiloPortBase => int.TryParse(Environment.GetEnvironmentVariable("SANMENXIA_SILO_PORT"), out var p) ? p : 11111;

    private (int Index, int Pid) PickSilo()
    {
        var run = Path.Combine(o.DataDir, "run");
        var alive = Directory.GetFiles(run, "silo-*.pid")
            .Select(f => (Index: int.Parse(Path.GetFileNameWithoutExtension(f)["silo-".Length..], CultureInfo.InvariantCulture), Pid: int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture)))
            .Where(s => IsAlive(s.Pid))
            .OrderBy(s => s.Index)
            .ToList();
        if (alive.Count < 2) throw new DrillException($"need at least two running silos to fail one, found {alive.Count} in {run}");
        // At random by default: always failing the same silo would never test the others' ranges and gateways.
        if (o.KillIndex < 0) return alive[Random.Shared.Next(alive.Count)];
        return alive.FirstOrDefault(s => s.Index == o.KillIndex) is { Pid: > 0 } chosen ? chosen : throw new DrillException($"silo {o.KillIndex} is not running");
    }

    /// <summary>kill -STOP / -CONT (the runtime has no API for these signals).</summary>
    private static async Task SignalAsync(string signal, int pid)
    {
        using var process = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new DrillException($"cannot run kill -{signal}");
        await process.WaitForExitAsync();
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }
}
