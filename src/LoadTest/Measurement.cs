using System.Diagnostics;
using HdrHistogram;

namespace Sanmenxia.LoadTest;

/// <summary>What one operation ended with.</summary>
public enum Outcome { Ok, Refused, Error }

/// <summary>Latencies (HdrHistogram, microseconds) and outcomes of one phase.</summary>
public sealed class PhaseRecorder(string name, string operation, long planned)
{
    private const long MaxTrackableMicros = 3_600_000_000; // one hour
    private readonly LongHistogram _latency = new(MaxTrackableMicros, 3);
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _refusals = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _ok;
    private long _refused;
    private long _failed;
    private long _startedAt;
    private long _endedAt;

    public string Name => name;
    public string Operation => operation;
    public long Planned => planned;
    public bool Truncated { get; set; }
    public long Completed => Interlocked.Read(ref _ok) + Interlocked.Read(ref _refused) + Interlocked.Read(ref _failed);
    /// <summary>Units of work done (e.g. CSV rows) when an operation carries many; else equals the operation count.</summary>
    public long Units;
    public Dictionary<string, object> Extra { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Cumulative CPU seconds per watched process (ProcessSampler.CpuSnapshot), read at the phase's first send and after
    /// its last answer for CPU per operation; set once per run, null in unit tests.
    /// </summary>
    public static Func<Dictionary<string, double>>? CpuClock { get; set; }
    private Dictionary<string, double>? _cpuAtStart, _cpuAtEnd;

    public void Start()
    {
        _cpuAtStart = CpuClock?.Invoke();
        _startedAt = Stopwatch.GetTimestamp();
    }

    public void Stop()
    {
        _endedAt = Stopwatch.GetTimestamp();
        _cpuAtEnd = CpuClock?.Invoke();
    }
    public DateTimeOffset StartedAtUtc { get; private set; } = DateTimeOffset.UtcNow;
    public TimeSpan Elapsed => Duration ?? Stopwatch.GetElapsedTime(_startedAt, _endedAt == 0 ? Stopwatch.GetTimestamp() : _endedAt);
    /// <summary>Set when the phase's duration is observed rather than timed (the day-close sweep: midnight → last write).</summary>
    public TimeSpan? Duration { get; set; }

    public void Record(long startTimestamp, Outcome outcome, string? kind = null) =>
        RecordLatency(Stopwatch.GetElapsedTime(startTimestamp), outcome, kind);

    public void RecordLatency(TimeSpan latency, Outcome outcome, string? kind = null)
    {
        var micros = Math.Clamp((long)latency.TotalMicroseconds, 1, MaxTrackableMicros);
        lock (_gate)
        {
            _latency.RecordValue(micros);
            switch (outcome)
            {
                case Outcome.Ok: _ok++; break;
                case Outcome.Refused: _refused++; _refusals[kind ?? "refused"] = _refusals.GetValueOrDefault(kind ?? "refused") + 1; break;
                default: _failed++; _errors[kind ?? "error"] = _errors.GetValueOrDefault(kind ?? "error") + 1; break;
            }
        }
    }

    public PhaseResult Result()
    {
        lock (_gate)
        {
            var seconds = Math.Max(1e-6, Elapsed.TotalSeconds);
            double Ms(double percentile) => _latency.TotalCount == 0 ? 0 : _latency.GetValueAtPercentile(percentile) / 1000.0;
            var count = _ok + _refused + _failed;
            return new PhaseResult(name, operation, planned, count, _ok, _refused, _failed, Truncated, Math.Round(seconds, 2),
                Math.Round(count / seconds, 1), Units == 0 ? count : Units, Math.Round((Units == 0 ? count : Units) / seconds, 1),
                Math.Round(Ms(50), 2), Math.Round(Ms(90), 2), Math.Round(Ms(99), 2), Math.Round(Ms(99.9), 2),
                _latency.TotalCount == 0 ? 0 : Math.Round(_latency.GetMaxValue() / 1000.0, 2),
                new Dictionary<string, long>(_errors), new Dictionary<string, long>(_refusals), new Dictionary<string, object>(Extra),
                StartedAtUtc,
                _cpuAtStart is { } a && _cpuAtEnd is { } b ? CpuPerOperation.Compute(a, b, Units == 0 ? count : Units, Elapsed.TotalSeconds) : null);
        }
    }

    public void MarkStarted()
    {
        StartedAtUtc = DateTimeOffset.UtcNow;
        Start();
    }
}

public sealed record PhaseResult(
    string Phase, string Operation, long Planned, long Count, long Ok, long Refused, long Errors, bool Truncated,
    double Seconds, double PerSecond, long Units, double UnitsPerSecond,
    double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs,
    Dictionary<string, long> ErrorsByKind, Dictionary<string, long> RefusalsByKind, Dictionary<string, object> Extra,
    DateTimeOffset StartedAtUtc, CpuPerOperation? CpuPerOp = null)
{
    /// <summary>System CPU (silos + APIs + PostgreSQL) per operation in ms, when the phase was sampled.</summary>
    public double? CpuMsPerOp => CpuPerOp?.SystemMsPerOp;
}

/// <summary>
/// Runs <c>count</c> operations with at most <c>concurrency</c> in flight, stopping early at the deadline.
/// Workers take the next index from a shared counter, so the order of the supplied index list is kept.
/// </summary>
public static class BoundedRunner
{
    public static async Task RunAsync(PhaseRecorder recorder, int count, int concurrency, TimeSpan deadline,
        Func<int, CancellationToken, Task<(Outcome Outcome, string? Kind)>> operation, Action? onEach = null)
    {
        using var cts = new CancellationTokenSource(deadline);
        var next = -1;
        recorder.MarkStarted();
        var workers = Enumerable.Range(0, Math.Max(1, Math.Min(concurrency, count))).Select(async _ =>
        {
            await Task.Yield();
            while (!cts.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count) return;
                var start = Stopwatch.GetTimestamp();
                (Outcome, string?) result;
                try
                {
                    result = await operation(i, cts.Token);
                }
                catch (OperationCanceledException) when (cts.IsCancellationRequested)
                {
                    return; // the deadline, not a failure of the system
                }
                catch (Exception e)
                {
                    result = (Outcome.Error, ErrorKind(e));
                }
                recorder.Record(start, result.Item1, result.Item2);
                onEach?.Invoke();
            }
        }).ToList();
        await Task.WhenAll(workers);
        recorder.Stop();
        if (recorder.Completed < count) recorder.Truncated = true;
    }

    public static string ErrorKind(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: var error } h when error != HttpRequestError.Unknown => $"{nameof(HttpRequestException)}:{error}",
        TaskCanceledException => "Timeout",
        RawHttpException r => $"{nameof(RawHttpException)}:{r.Kind}",
        System.Net.Sockets.SocketException s => $"{nameof(System.Net.Sockets.SocketException)}:{s.SocketErrorCode}",
        _ => e.GetType().Name,
    };
}
