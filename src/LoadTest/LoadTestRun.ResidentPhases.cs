using System.Diagnostics;
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

    /// <summary>
    /// Every token (and the keys in it) the phase will send, minted before its clock starts, so the measured loop does no
    /// cryptography; recorded in the phase's Extra (mint time, and tokens the loop still had to mint: should be 0).
    /// </summary>
    private void MintAhead(PhaseRecorder recorder, IReadOnlyList<int> residents)
    {
        var sw = Stopwatch.StartNew();
        var minted = _tokens.Mint(residents);
        recorder.Extra["tokensMintedAhead"] = minted;
        recorder.Extra["tokenMintSeconds"] = Math.Round(sw.Elapsed.TotalSeconds, 2);
        _mintedInLoopBefore = _tokens.MintedInLoop;
    }

    private long _mintedInLoopBefore;

    /// <summary>
    /// A hot resident request (apply, clock-in, code) through the sender --sender chose: the raw sender, or
    /// <see cref="ApiClient.SendFastAsync"/>. Same request, same answer: the status, and the body when the status is 300 or more.
    /// </summary>
    private ValueTask<(int Status, string? Body)> SendResidentAsync(HttpMethod method, string path, string bearer, byte[]? body, CancellationToken ct,
        string? idempotencyKey = null) =>
        _raw is { } raw
            ? raw.SendAsync(method, path, bearer, body, false, ct, idempotencyKey)
            : new ValueTask<(int Status, string? Body)>(_api.SendFastAsync(method, path, bearer, body, false, ct, idempotencyKey));

    /// <summary>Open loop at --rate when given, else closed loop at --concurrency.</summary>
    private async Task RunResidentLoadAsync(PhaseRecorder recorder, int count, Func<int, CancellationToken, Task<(Outcome Outcome, string? Kind)>> operation, ProgressTask task)
    {
        recorder.Extra["sender"] = o.Sender;
        var (openedBefore, resentBefore, droppedBefore) = (_raw?.ConnectionsOpened ?? 0, _raw?.Resent ?? 0, _raw?.DroppedIdle ?? 0);
        if (o.Rate is { } rate)
        {
            var report = await OpenLoopRunner.RunAsync(recorder, count, rate, o.MaxInFlight, TimeSpan.FromSeconds(o.MaxSeconds), operation, () => task.Increment(1));
            AnsiConsole.MarkupLineInterpolated($"  open loop at {rate:N0}/s: sent {report.Sent:N0}, achieved {report.AchievedRate:N0}/s, dropped {report.Dropped:N0}, sends > 10 ms late {report.LateShare:P2}, max in flight {report.MaxInFlightSeen:N0}, backlog at end {report.BacklogAtEnd:N0}: [bold]{(report.KeptUp ? "kept up" : "did NOT keep up")}[/]");
        }
        else
        {
            await BoundedRunner.RunAsync(recorder, count, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), operation, () => task.Increment(1));
            recorder.Extra["closedLoopConcurrency"] = o.Concurrency;
        }
        recorder.Extra["tokensMintedInLoop"] = _tokens.MintedInLoop - _mintedInLoopBefore;
        if (_raw is not null)
        {
            // Connections the raw sender opened in this phase (kept alive across phases), idle ones it found closed by
            // the server before reuse, and requests it sent again because a reused connection had been closed before
            // any of the answer arrived.
            recorder.Extra["rawConnectionsOpened"] = _raw.ConnectionsOpened - openedBefore;
            recorder.Extra["rawIdleFoundClosed"] = _raw.DroppedIdle - droppedBefore;
            recorder.Extra["rawResent"] = _raw.Resent - resentBefore;
        }
    }

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
        MintAhead(recorder, set);
        await RunResidentLoadAsync(recorder, set.Length, async (i, ct) =>
        {
            var r = set[i];
            var body = ApplyBodies[(int)((Temperature(r, 1) - 36.0m) * 10)];
            var (status, text) = await SendResidentAsync(HttpMethod.Post, "api/residents/me/apply", _tokens.Token(r), body, ct,
                $"{ApiClient.RunKey}-a{r}");
            var outcome = Classify(status, text);
            if (outcome.Item1 == Outcome.Ok) dashboard?.Acknowledged();
            // Applied now, or before (a re-run): either way this resident can clock in.
            if (outcome.Item1 == Outcome.Ok || outcome.Item2?.Contains("already applied", StringComparison.Ordinal) == true) _hasCode![r] = true;
            return outcome;
        }, task);
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
        var skip = (int)Math.Floor(candidates.Length * o.ClockInSkip);
        var n = Math.Min((int)Math.Ceiling(candidates.Length * o.ClockInShare), candidates.Length - skip);
        var recorder = new PhaseRecorder("clockin", "POST /api/residents/me/clock-in", n);
        task.MaxValue = n;
        var residents = order[skip..(skip + n)].Select(k => candidates[k]).ToArray();
        MintAhead(recorder, residents);
        if (o.ExportWrk is { } dir)
        {
            var written = WrkExport.Write(Path.IsPathRooted(dir) ? dir : Path.Combine(_root, dir), n, i => _tokens.Token(residents[i]),
                i => $"{ApiClient.RunKey}-c{residents[i]}", i => ClockInBody(i, residents[i]));
            AnsiConsole.MarkupLineInterpolated($"  wrk export: {n:N0} clock-ins written to {written} (not sent); see docs/benchmarks.md, \"Cross-check with wrk\"");
            recorder.Extra["exportedForWrk"] = written;
            recorder.MarkStarted(); // nothing was sent: a phase of 0 operations in ~0 s
            recorder.Stop();
            return recorder;
        }
        await RunResidentLoadAsync(recorder, n, async (i, ct) =>
        {
            var (status, text) = await SendResidentAsync(HttpMethod.Post, "api/residents/me/clock-in", _tokens.Token(residents[i]), ClockInBody(i, residents[i]), ct,
                $"{ApiClient.RunKey}-c{residents[i]}");
            return Classify(status, text);
        }, task);
        recorder.Extra["share"] = o.ClockInShare;
        recorder.Extra["skip"] = o.ClockInSkip;
        recorder.Extra["feverShare"] = o.FeverShare;
        return recorder;
    }

    private byte[] ClockInBody(int i, int resident)
    {
        var feverEvery = o.FeverShare > 0 ? (int)Math.Max(1, 1 / o.FeverShare) : int.MaxValue;
        return i % feverEvery == feverEvery - 1 ? FeverClockIn : ClockInBodies[(int)((Temperature(resident, 2) - 36.0m) * 10)];
    }

    private async Task<PhaseRecorder> CodeReadsAsync(ProgressTask task)
    {
        var order = Population.Permutation(_population.Count, (ulong)o.Seed * 31 + 3).Where(CanSignIn).ToArray();
        var n = (int)Math.Ceiling(order.Length * o.CodeReadShare);
        var recorder = new PhaseRecorder("code", "GET /api/residents/me/code", n);
        task.MaxValue = n;
        MintAhead(recorder, order[..n]);
        await RunResidentLoadAsync(recorder, n, async (i, ct) =>
        {
            var (status, text) = await SendResidentAsync(HttpMethod.Get, "api/residents/me/code", _tokens.Token(order[i]), null, ct);
            return Classify(status, text);
        }, task);
        recorder.Extra["share"] = o.CodeReadShare;
        return recorder;
    }
}
