namespace Sanmenxia.LoadTest;

/// <summary>
/// System CPU per operation of a phase (issue 20's target: ≤ 0.35 ms per cold clock-in): CPU seconds each process spent
/// between the phase's first send and its last answer, divided by the operations it completed, in milliseconds.
/// "System" is what serves the requests: the silos, the APIs and PostgreSQL; the load tester itself is shown apart.
/// </summary>
public sealed record CpuPerOperation(long Operations, double Seconds, Dictionary<string, double> CpuSecondsByProcess,
    Dictionary<string, double> MsPerOpByProcess, double SystemCpuSeconds, double SystemMsPerOp, double SystemCoresBusy)
{
    public static bool IsSystem(string process) =>
        process.StartsWith("silo", StringComparison.Ordinal) || process.StartsWith("api", StringComparison.Ordinal) || process == "postgres";

    public static CpuPerOperation Compute(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after, long operations, double seconds)
    {
        var cpu = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (process, end) in after)
            if (before.TryGetValue(process, out var start)) cpu[process] = Math.Max(0, end - start); // a process that (re)started meanwhile is left out
        double PerOp(double s) => operations > 0 ? Math.Round(s * 1000 / operations, 4) : 0;
        var system = cpu.Where(kv => IsSystem(kv.Key)).Sum(kv => kv.Value);
        return new CpuPerOperation(operations, Math.Round(seconds, 2),
            cpu.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 2), StringComparer.Ordinal),
            cpu.ToDictionary(kv => kv.Key, kv => PerOp(kv.Value), StringComparer.Ordinal),
            Math.Round(system, 2), PerOp(system), seconds > 0 ? Math.Round(system / seconds, 2) : 0);
    }
}

/// <summary>A silo's resident set through the whole run: the peak and a series of at most one point per <c>bucket</c>.</summary>
public sealed record RssSeries(string Process, double PeakMb, double LastMb, int BucketSeconds, List<double[]> Points)
{
    /// <summary>One point per bucket: its first sample's time and the bucket's highest RSS (a peak is never averaged away).</summary>
    public static RssSeries From(string process, IEnumerable<ProcessSample> samples, int bucketSeconds)
    {
        var mine = samples.Where(s => s.Process == process).OrderBy(s => s.AtSeconds).ToList();
        var points = mine.GroupBy(s => (long)Math.Floor(s.AtSeconds / bucketSeconds))
            .Select(g => new[] { g.First().AtSeconds, g.Max(s => s.RssMb) }).ToList();
        return new RssSeries(process, mine.Count == 0 ? 0 : mine.Max(s => s.RssMb), mine.Count == 0 ? 0 : mine[^1].RssMb, bucketSeconds, points);
    }
}
