using System.Diagnostics;
using System.Globalization;

namespace Sanmenxia.Chaos;

/// <summary>Phase --kill: SIGKILL a silo under load, time membership and failover, restart it, and check no reminder row was lost.</summary>
public sealed partial class Drill
{
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
}
