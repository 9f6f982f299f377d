using System.Text.RegularExpressions;

namespace Sanmenxia.Chaos;

/// <summary>
/// Phase --steady S: the drill's load for S seconds and no failure injected. The cost of fast failure detection is
/// false positives on a loaded machine: any silo declared dead, and every suspicion (vote) the silos log, counts.
/// </summary>
public sealed partial class Drill
{
    private static readonly Regex Suspicion = new("suspect|vote|declar|indirect probe|missed probe", RegexOptions.IgnoreCase | RegexOptions.Compiled);
    // Orleans 10's SiloHealthMonitor warnings: a probe that timed out (counts towards MissedProbesLimit), and one that
    // failed while the prober itself stalled (not counted: "inconclusive").
    private static readonly Regex MissedProbe = new(@"Did not get response for probe .* consecutive failed probes is (\d+)", RegexOptions.Compiled);
    private static readonly Regex Inconclusive = new("Treating as inconclusive", RegexOptions.Compiled);

    private async Task<(string, PhaseFigures)> SteadyPhaseAsync(Load load)
    {
        var logs = Directory.GetFiles(Path.Combine(o.DataDir, "logs"), "silo-*.log");
        var offsets = logs.ToDictionary(f => f, f => new FileInfo(f).Length);
        var deadBefore = (await _store.MembershipAsync()).Count(m => m.Status == Store.Dead);
        var votesBefore = await _store.SuspicionVotesAsync();
        Say($"Steady load for {o.Steady.TotalSeconds:0} s, no failure injected (false positives of the failure detector)");
        var startAt = _clock.Elapsed;
        await Task.Delay(o.Steady);
        var f = PhaseFigures.Of(load.Samples, startAt, _clock.Elapsed, startAt);
        var deadAfter = (await _store.MembershipAsync()).Count(m => m.Status == Store.Dead);
        var votes = (await _store.SuspicionVotesAsync()).Except(votesBefore).ToList();
        var suspicions = new List<string>();
        int missed = 0, maxConsecutive = 0, inconclusive = 0;
        foreach (var (file, offset) in offsets)
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(offset, SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync() is { } line)
            {
                if (Suspicion.IsMatch(line)) suspicions.Add($"{Path.GetFileName(file)}: {Api.Trim(line.Trim())}");
                if (MissedProbe.Match(line) is { Success: true } m)
                {
                    missed++;
                    maxConsecutive = Math.Max(maxConsecutive, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
                if (Inconclusive.IsMatch(line)) inconclusive++;
            }
        }
        Line("");
        // Nothing is stopped in this phase: every silo declared dead in it is a false positive of the failure detector.
        Line($"Steady load, no failure ({o.Steady.TotalSeconds:0} s): {f.Requests} requests, failed {f.Failed}; false positives (silos declared dead, none stopped) {deadAfter - deadBefore}; suspicion lines in the silo logs {suspicions.Count}; p99 {f.P99LatencyMs:0} ms, max {PhaseFigures.Seconds(f.MaxLatency)}; load average at the end {LoadAverage()}");
        Line($"  failure detector under this load: missed probes {missed} (most in a row {maxConsecutive}; {o.Silos} silos, a vote after MissedProbesLimit in a row), inconclusive probes (prober stalled) {inconclusive}, suspicion votes written to the membership table {votes.Count}");
        foreach (var s in suspicions.Take(5)) Line($"      {s}");
        foreach (var v in votes.Take(5)) Line($"      vote: {v}");
        Check(deadAfter == deadBefore, $"steady load: no false positive, no silo declared dead without a failure ({deadAfter - deadBefore})");
        Check(f.Failed == 0, $"steady load: zero failed requests ({f.Failed} of {f.Requests})");
        return ("steady (no failure)", f);
    }

    /// <summary>The machine's 1/5/15-minute load average (/proc/loadavg), written beside the figures it qualifies.</summary>
    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }
}
