using Sanmenxia.LoadTest;

namespace Sanmenxia.UnitTests.LoadTest;

/// <summary>CPU per operation, the silo's RSS series and the /proc stat parsing behind them.</summary>
public sealed class CpuAndSeriesTests
{
    [Fact]
    public void Cpu_per_operation_is_each_process_cpu_seconds_over_the_phase_divided_by_operations_and_system_sums_silos_apis_and_postgres()
    {
        var before = new Dictionary<string, double> { ["silo-0"] = 100, ["api-0"] = 50, ["postgres"] = 20, ["loadtest"] = 5, ["supervisor"] = 1 };
        var after = new Dictionary<string, double> { ["silo-0"] = 106, ["api-0"] = 53, ["postgres"] = 21.5, ["loadtest"] = 7, ["supervisor"] = 1.01, ["silo-1"] = 3 };

        var cpu = CpuPerOperation.Compute(before, after, operations: 20_000, seconds: 10);

        Assert.Equal(0.3, cpu.MsPerOpByProcess["silo-0"]);     // 6 s × 1000 / 20,000
        Assert.Equal(0.15, cpu.MsPerOpByProcess["api-0"]);
        Assert.Equal(0.075, cpu.MsPerOpByProcess["postgres"]);
        Assert.Equal(0.1, cpu.MsPerOpByProcess["loadtest"]);
        Assert.Equal(10.5, cpu.SystemCpuSeconds);               // loadtest and supervisor are not the system
        Assert.Equal(0.525, cpu.SystemMsPerOp);
        Assert.Equal(1.05, cpu.SystemCoresBusy);
        Assert.False(cpu.CpuSecondsByProcess.ContainsKey("silo-1")); // started during the phase: no baseline
    }

    [Theory]
    [InlineData(0.002, 10)]   // a cheap walk (200k): every 10 s, the floor
    [InlineData(0.1, 10)]     // exactly 1 % of a core at one walk per 10 s
    [InlineData(0.45, 45)]    // the city's 6 GB of shared buffers: spaced out to stay at 1 % of a core
    public void Pss_walks_are_spaced_so_they_cost_at_most_one_percent_of_a_core(double walkSeconds, double secondsToNext)
    {
        Assert.Equal(100 + secondsToNext, ProcessSampler.NextSlowAt(100, walkSeconds), 6);
        Assert.True(walkSeconds / secondsToNext <= ProcessSampler.SlowBudget + 1e-12);
    }

    [Fact]
    public void No_operations_gives_zero_per_operation_rather_than_infinity()
    {
        var cpu = CpuPerOperation.Compute(new Dictionary<string, double> { ["silo-0"] = 1 }, new Dictionary<string, double> { ["silo-0"] = 2 }, 0, 5);

        Assert.Equal(0, cpu.SystemMsPerOp);
        Assert.Equal(1, cpu.SystemCpuSeconds);
    }

    [Fact]
    public void The_rss_series_keeps_one_point_per_bucket_with_the_bucket_peak_and_the_overall_peak_and_last()
    {
        var samples = new List<ProcessSample>();
        for (var s = 1; s <= 12; s++) samples.Add(new ProcessSample(s, "silo-0", 10, s == 7 ? 900 : 100 + s));
        samples.Add(new ProcessSample(3, "api-0", 10, 5_000));

        var series = RssSeries.From("silo-0", samples, bucketSeconds: 5);

        Assert.Equal(900, series.PeakMb);
        Assert.Equal(112, series.LastMb);
        Assert.Equal(3, series.Points.Count);                   // 1-4, 5-9, 10-12
        Assert.Equal([1.0, 104], series.Points[0]);
        Assert.Equal([5.0, 900], series.Points[1]);             // the spike survives downsampling
        Assert.Equal([10.0, 112], series.Points[2]);
    }

    [Fact]
    public void Stat_parsing_takes_utime_stime_and_the_reaped_children_even_with_spaces_and_parentheses_in_the_name()
    {
        var stat = "4242 (postgres: a) b) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 7 3 20 0 1 0 100 1000 50 18446744073709551615"u8;

        var (own, children) = ProcFs.ParseStatTicks(stat);

        Assert.Equal(175, own);
        Assert.Equal(10, children);
    }

    [Fact]
    public void The_sampler_reads_this_process_cpu_and_rss_and_its_own_thread_cpu_clock()
    {
        var (own, _) = ProcFs.CpuTicks(Environment.ProcessId);
        var rss = ProcFs.RssKb(Environment.ProcessId);
        var hwm = ProcFs.KbLine($"/proc/{Environment.ProcessId}/status", "VmHWM:");

        Assert.True(own > 0);
        Assert.True(rss > 1_000);
        Assert.True(hwm >= rss / 2);
        Assert.True(ProcFs.ThreadCpuNanoseconds() > 0);
    }
}
