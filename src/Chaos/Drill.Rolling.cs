namespace Sanmenxia.Chaos;

/// <summary>Phase --rolling: restart every silo in turn under load; no request may fail.</summary>
public sealed partial class Drill
{
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
}
