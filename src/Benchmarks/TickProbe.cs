using System.Diagnostics;
using System.Diagnostics.Metrics;
using HdrHistogram;

namespace Sanmenxia.Benchmarks;

/// <summary>
/// Counts the reminder ticks that reach resident grains and how late they arrive. It is an incoming grain-call
/// filter: a reminder tick is an IRemindable.ReceiveReminder call, and the filter runs after the target is
/// activated (state read included), so "late" means late at the resident, not at the timer.
/// Lateness = arrival − the scheduled tick (FirstTickTime + k × Period, as the reminder service anchors ticks).
/// </summary>
public sealed class TickProbe(GrainType residentType) : IIncomingGrainCallFilter
{
    private readonly Lock _gate = new();
    private readonly LongHistogram _total = new(TimeSpan.FromHours(1).Ticks / TimeSpan.TicksPerMillisecond, 3);
    private LongHistogram _interval = new(TimeSpan.FromHours(1).Ticks / TimeSpan.TicksPerMillisecond, 3);
    private long _ticks;
    private long _failed;
    private long _inFlight;
    private long _maxInFlight;
    private DateTime _first = DateTime.MaxValue;
    private DateTime _last = DateTime.MinValue;

    public long Ticks => Interlocked.Read(ref _ticks);
    public long Failed => Interlocked.Read(ref _failed);
    public long InFlight => Interlocked.Read(ref _inFlight);
    public DateTime FirstTickAt { get { lock (_gate) return _first; } }
    public DateTime LastTickAt { get { lock (_gate) return _last; } }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.TargetId.Type != residentType || context.InterfaceMethod?.Name != nameof(IRemindable.ReceiveReminder))
        {
            await context.Invoke();
            return;
        }
        var now = DateTime.UtcNow;
        if (context.Request.GetArgument(1) is TickStatus status)
        {
            var scheduled = status.FirstTickTime;
            if (status.Period > TimeSpan.Zero && status.CurrentTickTime > status.FirstTickTime)
                scheduled += status.Period * Math.Floor((status.CurrentTickTime - status.FirstTickTime) / status.Period);
            var lateMs = Math.Max(0, (long)(now - scheduled).TotalMilliseconds);
            lock (_gate)
            {
                _total.RecordValue(Math.Min(lateMs, _total.HighestTrackableValue));
                _interval.RecordValue(Math.Min(lateMs, _interval.HighestTrackableValue));
                if (now < _first) _first = now;
                if (now > _last) _last = now;
            }
        }
        Interlocked.Increment(ref _ticks);
        var inFlight = Interlocked.Increment(ref _inFlight);
        long seen;
        while (inFlight > (seen = Interlocked.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen) { }
        try
        {
            await context.Invoke();
        }
        catch
        {
            Interlocked.Increment(ref _failed);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Lateness percentiles (ms) of the ticks since the previous call, and resets the interval.</summary>
    public (long P50, long P99, long Max) TakeInterval()
    {
        lock (_gate)
        {
            var h = _interval;
            _interval = new LongHistogram(h.HighestTrackableValue, 3);
            return h.TotalCount == 0 ? (0, 0, 0) : (h.GetValueAtPercentile(50), h.GetValueAtPercentile(99), h.GetMaxValue());
        }
    }

    public (long Count, long P50, long P90, long P99, long Max) Total()
    {
        lock (_gate)
            return _total.TotalCount == 0 ? (0, 0, 0, 0, 0)
                : (_total.TotalCount, _total.GetValueAtPercentile(50), _total.GetValueAtPercentile(90), _total.GetValueAtPercentile(99), _total.GetMaxValue());
    }

    public long MaxInFlight => Interlocked.Read(ref _maxInFlight);
}

/// <summary>Reads a few of Orleans' own instruments (meter "Microsoft.Orleans"): active reminders, activations, ticks delivered.</summary>
public sealed class OrleansGauges : IDisposable
{
    private static readonly HashSet<string> Wanted =
        ["orleans-reminders-active", "orleans-catalog-activations", "orleans-reminders-ticks-delivered"];
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, double> _observed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _cumulative = new(StringComparer.Ordinal);

    public OrleansGauges()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Wanted.Contains(instrument.Name)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<double>((i, v, _, _) => Record(i, v));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value)
    {
        lock (_gate)
        {
            var target = instrument.IsObservable ? _observed : _cumulative;
            target[instrument.Name] = target.GetValueOrDefault(instrument.Name) + value;
        }
    }

    /// <summary>Current values: observable instruments are re-observed (summed over their tags), counters are running totals.</summary>
    public Dictionary<string, double> Read()
    {
        lock (_gate) _observed.Clear();
        _listener.RecordObservableInstruments();
        lock (_gate)
        {
            var result = new Dictionary<string, double>(_cumulative, StringComparer.Ordinal);
            foreach (var (k, v) in _observed) result[k] = v;
            return result;
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>This process's RSS, peak RSS and CPU from /proc/self.</summary>
public static class SelfProc
{
    public static (double RssMb, double HwmMb) Memory()
    {
        double rss = 0, hwm = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line) / 1024.0;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kb(line) / 1024.0;
        }
        return (rss, hwm);
        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    public static TimeSpan CpuTime()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();
}
