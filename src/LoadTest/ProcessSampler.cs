using System.Diagnostics;
using System.Globalization;

namespace Sanmenxia.LoadTest;

/// <summary>One watched process group: a silo, an API, PostgreSQL (postmaster and its backends), or the tool itself.</summary>
public sealed record Watched(string Name, int Pid, bool WithChildren);

public sealed record ProcessSample(double AtSeconds, string Process, double CpuPercent, double RssMb);

public sealed record ProcessSummary(string Process, int Pid, double PeakRssMb, double PeakHwmMb, double AvgCpuPercent, double PeakCpuPercent, string Memory);

/// <summary>
/// Samples CPU% (of one core; 200% = both cores of this machine) and memory of the system's processes once a
/// second from /proc. For PostgreSQL, memory is the sum of PSS over the postmaster and its backends (shared
/// buffers counted once); for .NET processes it is RSS, and the kernel's high-water mark (VmHWM) is kept too.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly List<Watched> _watched;
    private readonly List<ProcessSample> _samples = [];
    private readonly Dictionary<string, double> _peakHwm = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly object _gate = new();

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

    private async Task LoopAsync()
    {
        var last = new Dictionary<string, (double At, long Ticks)>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            var at = Now;
            foreach (var w in _watched)
            {
                try
                {
                    var pids = w.WithChildren ? WithChildren(w.Pid) : [w.Pid];
                    long ticks = 0;
                    double memoryKb = 0;
                    foreach (var pid in pids)
                    {
                        var (t, children) = CpuTicks(pid);
                        ticks += t + (pid == w.Pid && w.WithChildren ? children : 0); // reaped backends' time lands in the postmaster's cutime
                        memoryKb += w.WithChildren ? PssKb(pid) : StatusKb(pid, "VmRSS:");
                    }
                    if (!w.WithChildren)
                    {
                        var hwm = StatusKb(w.Pid, "VmHWM:") / 1024.0;
                        lock (_gate) _peakHwm[w.Name] = Math.Max(_peakHwm.GetValueOrDefault(w.Name), hwm);
                    }
                    if (last.TryGetValue(w.Name, out var prev) && at > prev.At)
                    {
                        var cpu = Math.Max(0, (ticks - prev.Ticks) / TicksPerSecond / (at - prev.At) * 100);
                        lock (_gate) _samples.Add(new ProcessSample(Math.Round(at, 1), w.Name, Math.Round(cpu, 1), Math.Round(memoryKb / 1024, 1)));
                    }
                    last[w.Name] = (at, ticks);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
                {
                    // The process ended or is not readable: skip this sample.
                }
            }
        } while (await SafeWait(timer));
    }

    private async Task<bool> SafeWait(PeriodicTimer timer)
    {
        try { return await timer.WaitForNextTickAsync(_stop.Token); }
        catch (OperationCanceledException) { return false; }
    }

    private static List<int> WithChildren(int root)
    {
        var result = new List<int> { root };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, out var pid) || pid == root) continue;
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == root) result.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        }
        return result;
    }

    /// <summary>utime + stime, and cutime + cstime (fields 14-17 of /proc/pid/stat).</summary>
    private static (long Own, long Children) CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // f[0] is field 3 (state): field n is f[n - 3].
        long L(int field) => long.Parse(f[field - 3], CultureInfo.InvariantCulture);
        return (L(14) + L(15), L(16) + L(17));
    }

    private static double StatusKb(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return 0;
    }

    private static double PssKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    return double.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return StatusKb(pid, "VmRSS:");
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
                w.WithChildren ? "PSS sum over postmaster + backends" : "RSS");
        }).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
