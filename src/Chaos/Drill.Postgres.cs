namespace Sanmenxia.Chaos;

/// <summary>Phase --postgres: stop PostgreSQL for a few seconds under load; the API must answer 503 + Retry-After and recover by itself.</summary>
public sealed partial class Drill
{
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
}
