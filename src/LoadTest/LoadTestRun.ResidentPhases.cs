using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>The phases residents drive with their own tokens: apply for a code, daily clock-in, read own code.</summary>
public sealed partial class LoadTestRun
{
    private int[] ApplySet()
    {
        // Only residents who can sign in (a phone of their own or their household's; ~1 % of households have none,
        // and in 2020 their village or a relative acted for them) use the resident endpoints.
        var perm = Population.Permutation(_population.Count, (ulong)o.Seed * 31 + 1).Where(CanSignIn).ToArray();
        var n = (int)Math.Ceiling(perm.Length * o.ApplyShare);
        return perm[..n];
    }

    private bool CanSignIn(int resident) => _population.SignInPhone(resident) is not null;

    private static decimal Temperature(int resident, int salt)
    {
        var h = (uint)HashCode.Combine(resident, salt) & 0x7fffffff; // HashCode is per-process random: fine, temperatures need not repeat
        return 36.0m + (h % 12) / 10m; // 36.0 … 37.1
    }

    private static readonly byte[][] ApplyBodies = Enumerable.Range(0, 12)
        .Select(t => Encoding.UTF8.GetBytes($"{{\"temperature\":{(36.0m + t / 10m).ToString(CultureInfo.InvariantCulture)},\"honestyPledge\":true}}")).ToArray();

    private static readonly byte[][] ClockInBodies = Enumerable.Range(0, 12)
        .Select(t => Encoding.UTF8.GetBytes($"{{\"temperature\":{(36.0m + t / 10m).ToString(CultureInfo.InvariantCulture)},\"symptoms\":[]}}")).ToArray();

    private static readonly byte[] FeverClockIn = Encoding.UTF8.GetBytes("{\"temperature\":38.1,\"symptoms\":[\"fever\",\"cough\"]}");

    private async Task<PhaseRecorder> ApplyAsync(ProgressTask task)
    {
        var set = _applied;
        _hasCode = new bool[_population.Count];
        var recorder = new PhaseRecorder("apply", "POST /api/residents/me/apply", set.Length);
        task.MaxValue = set.Length;
        // Dashboard subscribers (the city and its counties) measure the live push while the applications run: each
        // new code changes the city's "applied" count, so each acknowledgement has a moment on screen.
        // (Same-day clock-ins after an application change no count, so the clock-in phase cannot be timed this way.)
        DashboardWatcher? dashboard = null;
        try { dashboard = await DashboardWatcher.StartAsync(o.BaseUrl, _adminToken, ["411200", "411202", "411203", "411221", "411224", "411281", "411282"], "applied"); }
        catch (Exception e) { _notes.Add($"dashboard subscribers not started: {e.GetType().Name}: {e.Message}"); }
        await BoundedRunner.RunAsync(recorder, set.Length, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
        {
            var r = set[i];
            var body = ApplyBodies[(int)((Temperature(r, 1) - 36.0m) * 10)];
            var (status, text) = await _api.SendFastAsync(HttpMethod.Post, "api/residents/me/apply", _tokens.For(r), body, false, ct,
                $"{ApiClient.RunKey}-a{r}");
            var outcome = Classify(status, text);
            if (outcome.Item1 == Outcome.Ok) dashboard?.Acknowledged();
            // Applied now, or before (a re-run): either way this resident can clock in.
            if (outcome.Item1 == Outcome.Ok || outcome.Item2?.Contains("already applied", StringComparison.Ordinal) == true) _hasCode![r] = true;
            return outcome;
        }, () => task.Increment(1));
        if (dashboard is not null)
        {
            await dashboard.SettleAsync(TimeSpan.FromSeconds(15));
            var push = dashboard.Summary();
            recorder.Extra["dashboardPush"] = push;
            AnsiConsole.MarkupLineInterpolated($"  dashboard push: {push["updates"]} updates; event→screen p50 {push["eventToScreenP50Ms"]} ms, p99 {push["eventToScreenP99Ms"]} ms ({push["eventToScreenSamples"]} samples); publish→screen p99 {push["publishToScreenP99Ms"]} ms");
            await dashboard.DisposeAsync();
        }
        recorder.Extra["share"] = o.ApplyShare;
        return recorder;
    }

    private async Task<PhaseRecorder> ClockInAsync(ProgressTask task)
    {
        // Only residents with a code can clock in: if the apply phase ran (perhaps cut by its deadline), those it got through.
        var candidates = _hasCode is null ? _applied : _applied.Where(r => _hasCode[r]).ToArray();
        var order = Population.Permutation(candidates.Length, (ulong)o.Seed * 31 + 2);
        var n = (int)Math.Ceiling(candidates.Length * o.ClockInShare);
        var recorder = new PhaseRecorder("clockin", "POST /api/residents/me/clock-in", n);
        task.MaxValue = n;
        var feverEvery = o.FeverShare > 0 ? (int)Math.Max(1, 1 / o.FeverShare) : int.MaxValue;
        await BoundedRunner.RunAsync(recorder, n, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
        {
            var r = candidates[order[i]];
            var body = i % feverEvery == feverEvery - 1 ? FeverClockIn : ClockInBodies[(int)((Temperature(r, 2) - 36.0m) * 10)];
            var (status, text) = await _api.SendFastAsync(HttpMethod.Post, "api/residents/me/clock-in", _tokens.For(r), body, false, ct,
                $"{ApiClient.RunKey}-c{r}");
            return Classify(status, text);
        }, () => task.Increment(1));
        recorder.Extra["share"] = o.ClockInShare;
        recorder.Extra["feverShare"] = o.FeverShare;
        return recorder;
    }

    private async Task<PhaseRecorder> CodeReadsAsync(ProgressTask task)
    {
        var order = Population.Permutation(_population.Count, (ulong)o.Seed * 31 + 3).Where(CanSignIn).ToArray();
        var n = (int)Math.Ceiling(order.Length * o.CodeReadShare);
        var recorder = new PhaseRecorder("code", "GET /api/residents/me/code", n);
        task.MaxValue = n;
        await BoundedRunner.RunAsync(recorder, n, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
        {
            var (status, text) = await _api.SendFastAsync(HttpMethod.Get, "api/residents/me/code", _tokens.For(order[i]), null, false, ct);
            return Classify(status, text);
        }, () => task.Increment(1));
        recorder.Extra["share"] = o.CodeReadShare;
        return recorder;
    }
}
