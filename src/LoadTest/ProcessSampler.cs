using System.Diagnostics;

namespace Sanmenxia.LoadTest;

/// <summary>One watched process group: a silo, an API, PostgreSQL (postmaster and its backends), or the tool itself.</summary>
public sealed record Watched(string Name, int Pid, bool WithChildren);

public sealed record ProcessSample(double AtSeconds, string Process, double CpuPercent, double RssMb);

public sealed record ProcessSummary(string Process, int Pid, double PeakRssMb, double PeakHwmMb, double AvgCpuPercent, double PeakCpuPercent, string Memory);

/// <summary>
/// What sampling cost this tool: its own CPU time over the run (the sampler's thread CPU clock), and the same without
/// the first sample, which pays for JIT compilation and dominates short runs.
/// </summary>
public sealed record SamplerCost(long Samples, long Snapshots, double CpuSeconds, double WallSeconds, double CpuPercentOfCore, double MicrosPerSample,
    double FirstSampleMs, double CpuPercentOfCoreAfterFirstSample, int CpuEverySeconds, int PssEverySeconds);

/// <summary>
/// Samples CPU% (of one core; 200% = both cores of this machine) and memory of the system's processes from /proc,
/// cheaply (issue 20: the old sampler read every backend's smaps each second, 0.22-0.55 of a core): CPU from
/// /proc/pid/stat and .NET RSS from /proc/pid/statm every second; PostgreSQL's backends are listed from the
/// postmaster's children file (every second: one small read) and their PSS (smaps_rollup, shared buffers counted once) read at
/// least <see cref="PssEverySeconds"/> s apart, further apart when a walk costs more than <see cref="SlowBudget"/> of a core
/// (<see cref="NextSlowAt"/>); VmHWM with them and at the end. Its own CPU time is
/// measured and reported (<see cref="Cost"/>). <see cref="CpuSnapshot"/> gives exact cumulative CPU seconds at a phase's
/// start and end for CPU per operation.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    public const int CpuEverySeconds = 1;
    public const int PssEverySeconds = 10;
    /// <summary>
    /// Share of one core the PSS walks may take. smaps_rollup makes the kernel walk each backend's page tables: with the
    /// city's 6 GB of shared buffers a walk over ~40 backends took ~0.45 s, 4.7 % of a core at one walk per 10 s.
    /// </summary>
    public const double SlowBudget = 0.01;
    private readonly List<Watched> _watched;
    private readonly List<ProcessSample> _samples = [];
    private readonly Dictionary<string, double> _peakHwm = new();
    private readonly Dictionary<string, double> _lastMemoryKb = new();
    private readonly Dictionary<int, List<int>> _children = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly object _gate = new();
    private readonly object _readGate = new();
    private long _ownCpuNanos, _sampleCount, _snapshotCount, _firstSampleNanos;

    public ProcessSampler(List<Watched> watched)
    {
        _watched = watched;
        _loop = Task.Run(LoopAsync);
    }

    public IReadOnlyList<Watched> Watched => _watched;

    public static List<Watched> Discover(string dataDir)
    {
        var list = new List<Watched>();
        var run = Path.Combine(dataDir, "run");
        if (Directory.Exists(run))
            foreach (var file in Directory.GetFiles(run, "*.pid").Order(StringComparer.Ordinal))
                if (int.TryParse(File.ReadAllText(file).Trim(), out var pid) && Directory.Exists($"/proc/{pid}"))
                    list.Add(new Watched(Path.GetFileNameWithoutExtension(file), pid, false));
        try
        {
            var pidFile = Path.Combine(dataDir, "pg", "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First().Trim(), out var pg) && Directory.Exists($"/proc/{pg}"))
                list.Add(new Watched("postgres", pg, true));
        }
        catch (UnauthorizedAccessException) { /* not readable as this user: PostgreSQL is not sampled */ }
        list.Add(new Watched("loadtest", Environment.ProcessId, false));
        return list;
    }

    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>Cumulative CPU seconds of every watched process group now (children listed afresh): phase boundaries.</summary>
    public Dictionary<string, double> CpuSnapshot()
    {
        var started = ProcFs.ThreadCpuNanoseconds();
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        lock (_readGate)
            foreach (var w in _watched)
                try { result[w.Name] = CpuTicks(w, refreshChildren: true) / ProcFs.TicksPerSecond; }
                catch (Exception e) when (IsGone(e)) { }
        Interlocked.Add(ref _ownCpuNanos, ProcFs.ThreadCpuNanoseconds() - started);
        Interlocked.Increment(ref _snapshotCount);
        return result;
    }

    private long CpuTicks(Watched w, bool refreshChildren)
    {
        var (own, reaped) = ProcFs.CpuTicks(w.Pid);
        if (!w.WithChildren) return own;
        var ticks = own + reaped; // backends that exited: their time is in the postmaster's cutime + cstime
        foreach (var child in Children(w, refreshChildren))
            try { ticks += ProcFs.CpuTicks(child).Own; }
            catch (Exception e) when (IsGone(e)) { }
        return ticks;
    }

    private List<int> Children(Watched w, bool refresh)
    {
        if (refresh || !_children.TryGetValue(w.Pid, out var list)) _children[w.Pid] = list = ProcFs.Children(w.Pid);
        return list;
    }

    private static bool IsGone(Exception e) => e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException;

    private async Task LoopAsync()
    {
        var last = new Dictionary<string, (double At, long Ticks)>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(CpuEverySeconds));
        var nextSlowAt = 0.0;
        do
        {
            var started = ProcFs.ThreadCpuNanoseconds();
            var at = Now;
            var slow = at >= nextSlowAt; // PSS and VmHWM
            lock (_readGate)
                foreach (var w in _watched)
                    try { SampleOne(w, at, slow, last); }
                    catch (Exception e) when (IsGone(e)) { /* the process ended or is not readable: skip this sample */ }
            var spent = ProcFs.ThreadCpuNanoseconds() - started;
            if (slow) nextSlowAt = NextSlowAt(at, spent / 1e9);
            Interlocked.Add(ref _ownCpuNanos, spent);
            if (Interlocked.Increment(ref _sampleCount) == 1) Interlocked.Exchange(ref _firstSampleNanos, spent);
        } while (await SafeWait(timer));
        lock (_readGate) foreach (var w in _watched.Where(w => !w.WithChildren)) try { Hwm(w); } catch (Exception e) when (IsGone(e)) { }
    }

    /// <summary>When the next PSS walk is due, after one at <paramref name="at"/> that cost <paramref name="walkSeconds"/> of CPU.</summary>
    public static double NextSlowAt(double at, double walkSeconds) => at + Math.Max(PssEverySeconds, walkSeconds / SlowBudget);

    private void SampleOne(Watched w, double at, bool slow, Dictionary<string, (double At, long Ticks)> last)
    {
        var ticks = CpuTicks(w, refreshChildren: true); // the children file is one small read: a new backend is never counted late in one lump
        double memoryKb;
        if (!w.WithChildren)
        {
            memoryKb = ProcFs.RssKb(w.Pid);
            if (slow) Hwm(w);
        }
        else if (slow || !_lastMemoryKb.ContainsKey(w.Name))
        {
            memoryKb = ProcFs.PssKb(w.Pid);
            foreach (var child in Children(w, false))
                try { memoryKb += ProcFs.PssKb(child); }
                catch (Exception e) when (IsGone(e)) { }
            _lastMemoryKb[w.Name] = memoryKb;
        }
        else memoryKb = _lastMemoryKb[w.Name];
        if (last.TryGetValue(w.Name, out var prev) && at > prev.At)
        {
            var cpu = Math.Max(0, (ticks - prev.Ticks) / ProcFs.TicksPerSecond / (at - prev.At) * 100);
            lock (_gate) _samples.Add(new ProcessSample(Math.Round(at, 1), w.Name, Math.Round(cpu, 1), Math.Round(memoryKb / 1024, 1)));
        }
        last[w.Name] = (at, ticks);
    }

    private void Hwm(Watched w)
    {
        var hwm = ProcFs.KbLine($"/proc/{w.Pid}/status", "VmHWM:") / 1024.0;
        lock (_gate) _peakHwm[w.Name] = Math.Max(_peakHwm.GetValueOrDefault(w.Name), hwm);
    }

    private async Task<bool> SafeWait(PeriodicTimer timer)
    {
        try { return await timer.WaitForNextTickAsync(_stop.Token); }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>The sampler's own CPU time (sampling loop and snapshots) as a share of one core over the run so far.</summary>
    public SamplerCost Cost()
    {
        var cpu = Interlocked.Read(ref _ownCpuNanos) / 1e9;
        var wall = Math.Max(1e-9, Now);
        var samples = Interlocked.Read(ref _sampleCount);
        var first = Interlocked.Read(ref _firstSampleNanos) / 1e9;
        return new SamplerCost(samples, Interlocked.Read(ref _snapshotCount), Math.Round(cpu, 3), Math.Round(wall, 1),
            Math.Round(cpu / wall * 100, 3), samples == 0 ? 0 : Math.Round(cpu * 1e6 / samples, 1),
            Math.Round(first * 1000, 1), Math.Round((cpu - first) / wall * 100, 3), CpuEverySeconds, PssEverySeconds);
    }

    public List<ProcessSample> Samples()
    {
        lock (_gate) return _samples.ToList();
    }

    public List<ProcessSummary> Summaries(double fromSeconds = 0, double toSeconds = double.MaxValue)
    {
        var samples = Samples().Where(s => s.AtSeconds >= fromSeconds && s.AtSeconds <= toSeconds).ToList();
        return _watched.Select(w =>
        {
            var mine = samples.Where(s => s.Process == w.Name).ToList();
            double hwm;
            lock (_gate) hwm = _peakHwm.GetValueOrDefault(w.Name);
            return new ProcessSummary(w.Name, w.Pid,
                mine.Count == 0 ? 0 : mine.Max(s => s.RssMb),
                w.WithChildren ? 0 : Math.Round(hwm, 1),
                mine.Count == 0 ? 0 : Math.Round(mine.Average(s => s.CpuPercent), 1),
                mine.Count == 0 ? 0 : mine.Max(s => s.CpuPercent),
                w.WithChildren ? $"PSS sum over postmaster + backends (at least {PssEverySeconds} s apart, ≤ {SlowBudget:P0} of a core)" : "RSS");
        }).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
