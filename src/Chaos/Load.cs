using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Sanmenxia.Chaos;

/// <summary>A resident of the drill: keys, token, and every write attempted and acknowledged for it.</summary>
public sealed class DrillResident(int index, string residentKey, string phoneKey, string token)
{
    public int Index { get; } = index;
    public string Key { get; } = residentKey;
    public string PhoneKey { get; } = phoneKey;
    public string Token { get; } = token;
    /// <summary>Needs the API acknowledged (2xx): each must be in the store afterwards.</summary>
    public List<string> AcknowledgedNeeds { get; } = [];
    /// <summary>Needs whose request failed: they may or may not have been written, but never after the reply (late execution).</summary>
    public List<FailedWrite> UnacknowledgedNeeds { get; } = [];
    /// <summary>The reply to every clock-in sent, in the order of <see cref="ClockIns"/>.</summary>
    public List<FailedWrite?> ClockInFailures { get; } = [];
    /// <summary>Every clock-in temperature sent, in order, and the index of the last acknowledged one.</summary>
    public List<decimal> ClockIns { get; } = [];
    public int LastAcknowledgedClockIn { get; set; } = -1;
    public int Counter { get; set; }
}

/// <summary>A write the API did not acknowledge (503 + Retry-After, a connection error...): what and when it was answered.</summary>
public sealed record FailedWrite(string Detail, Outcome Outcome, int Status, TimeSpan Start, TimeSpan End);

/// <summary>One request of the load, timed against the drill's stopwatch.</summary>
public sealed record Sample(TimeSpan Start, TimeSpan End, string Kind, Outcome Outcome, int Status, string? Detail)
{
    public TimeSpan Latency => End - Start;
}

/// <summary>
/// A paced load: each worker owns a disjoint set of residents and calls one request at a time, alternating
/// "add a need" (a unique acknowledged write) and "clock in", at <see cref="DrillOptions.Rate"/> requests/s overall.
/// Writes of one resident are therefore ordered, which makes the clock-in check exact.
/// </summary>
public sealed class Load(Api api, IReadOnlyList<DrillResident> residents, DrillOptions options, Stopwatch clock, string runId)
{
    private readonly ConcurrentQueue<Sample> _samples = new();
    private volatile bool _stopping;
    private Task? _running;

    public IReadOnlyCollection<Sample> Samples => _samples;

    public void Start() => _running = Task.WhenAll(Enumerable.Range(0, options.Workers).Select(WorkerAsync));

    /// <summary>Lets requests in flight finish (no cancellation: a cancelled request would look like a failure).</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        if (_running is not null) await _running;
    }

    private async Task WorkerAsync(int worker)
    {
        var mine = residents.Where(r => r.Index % options.Workers == worker).ToList();
        if (mine.Count == 0) return;
        var interval = TimeSpan.FromSeconds((double)options.Workers / options.Rate);
        var next = clock.Elapsed + interval * worker / options.Workers; // stagger the workers
        var turn = 0;
        while (!_stopping)
        {
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            next += interval;
            if (next < clock.Elapsed) next = clock.Elapsed; // late (a stalled request): do not burst to catch up
            var resident = mine[turn % mine.Count];
            if (turn++ / mine.Count % 2 == 0) await AddNeedAsync(resident); else await ClockInAsync(resident);
        }
    }

    private async Task AddNeedAsync(DrillResident r)
    {
        var detail = $"chaos-{runId}-{r.Index}-{r.Counter++}";
        var start = clock.Elapsed;
        var reply = await api.SendAsync(HttpMethod.Post, "api/residents/me/needs", r.Token, new { kind = "Other", detail });
        Record(start, "need", reply);
        if (reply.Outcome == Outcome.Ok) r.AcknowledgedNeeds.Add(detail);
        else r.UnacknowledgedNeeds.Add(new FailedWrite(detail, reply.Outcome, reply.Status, start, clock.Elapsed));
    }

    private async Task ClockInAsync(DrillResident r)
    {
        // 35.8 … 36.9 °C: plausible and below the fever threshold, so the code stays green.
        var temperature = 35.8m + r.ClockIns.Count % 12 * 0.1m;
        r.ClockIns.Add(temperature);
        var start = clock.Elapsed;
        var reply = await api.SendAsync(HttpMethod.Post, "api/residents/me/clock-in", r.Token, new { temperature, symptoms = Array.Empty<string>() });
        Record(start, "clock-in", reply);
        if (reply.Outcome == Outcome.Ok) r.LastAcknowledgedClockIn = r.ClockIns.Count - 1;
        r.ClockInFailures.Add(reply.Outcome == Outcome.Ok ? null
            : new FailedWrite(temperature.ToString(CultureInfo.InvariantCulture), reply.Outcome, reply.Status, start, clock.Elapsed));
    }

    private void Record(TimeSpan start, string kind, Reply reply) =>
        _samples.Enqueue(new Sample(start, clock.Elapsed, kind, reply.Outcome, reply.Status,
            reply.Outcome == Outcome.Ok ? null : $"{reply.Status} {(reply.RetryAfter is null ? "" : "Retry-After " + reply.RetryAfter + " ")}{Summary(reply.Body)}"));

    private static string Summary(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("title", out var title) ? title.GetString() ?? "" : Api.Trim(body);
        }
        catch (JsonException)
        {
            return Api.Trim(body.Split('\n')[0]);
        }
    }
}

/// <summary>What happened to the load in one phase of the drill.</summary>
public sealed record PhaseFigures(
    int Requests, int Ok, int Retryable, int ConnectionErrors, int Unexpected,
    TimeSpan? FirstFailure, TimeSpan? LastFailureEnd, TimeSpan? RecoveredAt, TimeSpan MaxLatency, double P99LatencyMs,
    IReadOnlyList<string> UnexpectedExamples, IReadOnlyList<string> FailureKinds)
{
    public int Failed => Retryable + ConnectionErrors + Unexpected;

    /// <summary>Figures of the samples that started in [from, to); recovery is measured from <paramref name="eventAt"/>.</summary>
    public static PhaseFigures Of(IEnumerable<Sample> all, TimeSpan from, TimeSpan to, TimeSpan eventAt)
    {
        var samples = all.Where(s => s.Start >= from && s.Start < to).OrderBy(s => s.Start).ToList();
        var failures = samples.Where(s => s.Outcome != Outcome.Ok).ToList();
        // Recovered = the first acknowledged write that started after the event and after the last failure began.
        var after = failures.Count == 0 ? eventAt : failures.Max(f => f.Start);
        var recovered = samples.Where(s => s.Outcome == Outcome.Ok && s.Start >= after).OrderBy(s => s.End).FirstOrDefault()?.End;
        var latencies = samples.Select(s => s.Latency.TotalMilliseconds).Order().ToList();
        return new PhaseFigures(
            samples.Count,
            samples.Count(s => s.Outcome == Outcome.Ok),
            failures.Count(s => s.Outcome == Outcome.Retryable),
            failures.Count(s => s.Outcome == Outcome.ConnectionError),
            failures.Count(s => s.Outcome == Outcome.Unexpected),
            failures.Count == 0 ? null : failures.Min(f => f.Start),
            failures.Count == 0 ? null : failures.Max(f => f.End),
            recovered,
            samples.Count == 0 ? TimeSpan.Zero : samples.Max(s => s.Latency),
            latencies.Count == 0 ? 0 : latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(latencies.Count * 0.99) - 1)],
            failures.Where(f => f.Outcome == Outcome.Unexpected).Select(f => $"{f.Kind}: {f.Detail}").Distinct().Take(5).ToList(),
            failures.GroupBy(f => $"{f.Outcome}: {f.Detail}").OrderByDescending(g => g.Count()).Take(6).Select(g => $"{g.Count()}× {g.Key}").ToList());
    }

    public static string Seconds(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "—";
}
