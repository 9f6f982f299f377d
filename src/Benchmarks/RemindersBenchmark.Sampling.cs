using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Sanmenxia.Benchmarks;

/// <summary>Measurement: the sampling loop through load, midnight and the tick storm, and the measured table refresh.</summary>
public sealed partial class RemindersBenchmark
{
    /// <summary>What the once-a-second sampling saw: the CSV of samples, the peaks, and whether it stopped on the memory limit.</summary>
    private sealed record StormSamples(StringBuilder Csv, double PeakRss, double PeakHeap, double PeakActive, double PeakActivations, double PeakRate,
        double PeakRssBeforeMidnight, bool Aborted, int ExitCode);

    /// <summary>
    /// Once a second until the storm is over (or the deadline, or the memory limit): memory, CPU, running reminders,
    /// activations, ticks and their lateness; when the initial load is done, one measured table refresh.
    /// </summary>
    private async Task<StormSamples> SampleAsync(IHost host, TickProbe probe, OrleansGauges gauges, Stopwatch siloStart,
        DateTimeOffset commandStart, DateTimeOffset realMidnight, DateTimeOffset stormEndsAt)
    {
        var csv = new StringBuilder("t_s,phase,rss_mb,hwm_mb,gc_heap_mb,gc_committed_mb,gen2,cpu_pct,active_reminders,activations,ticks,ticks_per_s,late_p50_ms,late_p99_ms,late_max_ms,in_flight,threadpool_queue\n");
        var lastCpu = SelfProc.CpuTime();
        var lastAt = _clock.Elapsed;
        long lastTicks = 0;
        double peakRss = 0, peakHeap = 0, peakActive = 0, peakActivations = 0, peakRate = 0, peakRssBeforeMidnight = 0;
        double loadedActive = 0;
        var loadDoneAt = (double?)null;
        var stableSamples = 0;
        double lastActive = -1;
        var refreshMeasured = false;
        var aborted = false;
        var exitCode = 0;
        var deadline = commandStart + TimeSpan.FromSeconds(settings.MaxSeconds);
        var expectedTicks = settings.Count;

        while (true)
        {
            await Task.Delay(1000);
            var now = DateTimeOffset.UtcNow;
            var elapsed = _clock.Elapsed;
            var cpu = SelfProc.CpuTime();
            var cpuPct = (cpu - lastCpu).TotalSeconds / (elapsed - lastAt).TotalSeconds * 100;
            lastCpu = cpu;
            var (rss, hwm) = SelfProc.Memory();
            var info = GC.GetGCMemoryInfo();
            var heapMb = GC.GetTotalMemory(false) / 1048576.0;
            var values = gauges.Read();
            var active = values.GetValueOrDefault("orleans-reminders-active");
            var activations = values.GetValueOrDefault("orleans-catalog-activations");
            var ticks = probe.Ticks;
            var rate = (ticks - lastTicks) / (elapsed - lastAt).TotalSeconds;
            lastTicks = ticks;
            lastAt = elapsed;
            var (p50, p99, max) = probe.TakeInterval();
            var phase = now < realMidnight ? "before-midnight" : now < stormEndsAt ? "storm" : "after-storm";
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{elapsed.TotalSeconds:F1},{phase},{rss:F0},{hwm:F0},{heapMb:F0},{info.TotalCommittedBytes / 1048576.0:F0},{GC.CollectionCount(2)},{cpuPct:F0},{active:F0},{activations:F0},{ticks},{rate:F0},{p50},{p99},{max},{probe.InFlight},{ThreadPool.PendingWorkItemCount}"));
            peakRss = Math.Max(peakRss, rss);
            peakHeap = Math.Max(peakHeap, heapMb);
            peakActive = Math.Max(peakActive, active);
            peakActivations = Math.Max(peakActivations, activations);
            peakRate = Math.Max(peakRate, rate);
            if (phase == "before-midnight") peakRssBeforeMidnight = Math.Max(peakRssBeforeMidnight, rss);

            if ((int)elapsed.TotalSeconds % 5 == 0 || phase != "before-midnight")
                Log($"{phase,-15} RSS {rss,6:F0} MB heap {heapMb,6:F0} MB cpu {cpuPct,4:F0}% active reminders {active,9:N0} activations {activations,8:N0} ticks {ticks,9:N0} ({rate,6:N0}/s) late p50 {p50} p99 {p99} max {max} ms in-flight {probe.InFlight}");

            // The initial load is done when the number of running reminders stops changing (before midnight).
            if (loadDoneAt is null && phase == "before-midnight")
            {
                stableSamples = active > 0 && Math.Abs(active - lastActive) < 1 ? stableSamples + 1 : 0;
                if (stableSamples >= 3 || (settings.Count == 0 && elapsed.TotalSeconds > 10))
                {
                    loadDoneAt = elapsed.TotalSeconds - 3;
                    loadedActive = active;
                    Log($"initial load done: {active:N0} reminders running, ~{siloStart.Elapsed.TotalSeconds - 3:F1} s after the silo began to start, RSS {rss:F0} MB");
                    _summary["loadDoneSecondsAfterSiloStart"] = Math.Round(siloStart.Elapsed.TotalSeconds - 3, 1);
                    _summary["remindersLoaded"] = active;
                    _summary["rssAfterLoadMb"] = Math.Round(rss);
                }
            }
            lastActive = active;

            // Once loaded, and with enough time before midnight: what one table refresh costs, then the live heap.
            if (loadDoneAt is not null && !refreshMeasured && now < realMidnight - TimeSpan.FromSeconds(5))
            {
                refreshMeasured = true;
                await MeasureRefreshAsync(host, realMidnight);
            }

            if (rss > settings.MaxRssGb * 1024)
            {
                Log($"ABORT: RSS {rss:F0} MB is above --max-rss-gb {settings.MaxRssGb}");
                aborted = true;
                exitCode = 2;
                break;
            }
            if (now > deadline)
            {
                Log($"stop: --max-seconds {settings.MaxSeconds} reached");
                break;
            }
            if (settings.Count == 0 && elapsed.TotalSeconds > 30) break;
            if (now > stormEndsAt + TimeSpan.FromSeconds(settings.AfterStormSeconds) && (ticks >= expectedTicks || now > stormEndsAt + TimeSpan.FromSeconds(settings.AfterStormSeconds * 4)))
                break;
        }

        return new StormSamples(csv, peakRss, peakHeap, peakActive, peakActivations, peakRate, peakRssBeforeMidnight, aborted, exitCode);
    }

    /// <summary>One refresh as the reminder service does it: IReminderTable.ReadRows over the silo's whole range.</summary>
    private async Task MeasureRefreshAsync(IHost host, DateTimeOffset realMidnight)
    {
        var table = host.Services.GetRequiredService<IReminderTable>();
        var heapBefore = GC.GetTotalMemory(false);
        var allocatedBefore = GC.GetTotalAllocatedBytes(false);
        var (rssBefore, _) = SelfProc.Memory();
        var sw = Stopwatch.StartNew();
        var data = await table.ReadRows(0, 0);
        var ms = sw.Elapsed.TotalMilliseconds;
        var rows = data.Reminders.Count;
        var heapWith = GC.GetTotalMemory(false);
        var (rssWith, _) = SelfProc.Memory();
        var allocated = GC.GetTotalAllocatedBytes(false) - allocatedBefore;
        data = null;
        Log($"refresh read (IReminderTable.ReadRows, whole ring): {rows:N0} rows in {ms:F0} ms, allocated {allocated / 1048576.0:F0} MB " +
            $"({(rows > 0 ? allocated / rows : 0)} B/row), heap {heapBefore / 1048576.0:F0} -> {heapWith / 1048576.0:F0} MB, RSS {rssBefore:F0} -> {rssWith:F0} MB");
        _summary["refreshRows"] = rows;
        _summary["refreshReadMs"] = Math.Round(ms);
        _summary["refreshAllocatedMb"] = Math.Round(allocated / 1048576.0);

        if (DateTimeOffset.UtcNow < realMidnight - TimeSpan.FromSeconds(5))
        {
            // The live heap with the reminders loaded: a full blocking GC, then what survives.
            var gc = Stopwatch.StartNew();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var live = GC.GetTotalMemory(true);
            var (rssAfterGc, _) = SelfProc.Memory();
            Log($"live heap after a full GC: {live / 1048576.0:F0} MB (GC took {gc.Elapsed.TotalMilliseconds:F0} ms), RSS {rssAfterGc:F0} MB");
            _summary["liveHeapLoadedMb"] = Math.Round(live / 1048576.0);
            _summary["rssAfterFullGcMb"] = Math.Round(rssAfterGc);
        }
    }
}
