using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;

namespace Sanmenxia.Benchmarks;

/// <summary>Report: the figures after the storm and the files they go to.</summary>
public sealed partial class RemindersBenchmark
{
    /// <summary>The tick and memory figures to the log and the summary, the silo stopped, the .csv/.log/.json written.</summary>
    private async Task<int> ReportAsync(IHost host, TickProbe probe, StormSamples samples, string outDir, string label)
    {
        var (csv, peakRss, peakHeap, peakActive, peakActivations, peakRate, peakRssBeforeMidnight, aborted, exitCode) = samples;
        var expectedTicks = settings.Count;
        var total = probe.Total();
        var first = probe.FirstTickAt;
        var last = probe.LastTickAt;
        var stormSeconds = total.Count > 0 ? (last - first).TotalSeconds : 0;
        Log($"ticks: {total.Count:N0} of {expectedTicks:N0} (failed {probe.Failed}), first {first:HH:mm:ss.fff}Z last {last:HH:mm:ss.fff}Z ({stormSeconds:F1} s), " +
            $"peak {peakRate:N0}/s, mean {(stormSeconds > 0 ? total.Count / stormSeconds : 0):N0}/s; lateness p50 {total.P50} p90 {total.P90} p99 {total.P99} max {total.Max} ms; max in flight {probe.MaxInFlight}");
        Log($"memory: peak RSS {peakRss:F0} MB (before midnight {peakRssBeforeMidnight:F0} MB), peak GC heap {peakHeap:F0} MB, peak running reminders {peakActive:N0}, peak activations {peakActivations:N0}");
        _summary["ticks"] = total.Count;
        _summary["ticksFailed"] = probe.Failed;
        _summary["stormSeconds"] = Math.Round(stormSeconds, 1);
        _summary["ticksPeakPerSecond"] = Math.Round(peakRate);
        _summary["ticksMeanPerSecond"] = stormSeconds > 0 ? Math.Round(total.Count / stormSeconds) : 0;
        _summary["latenessMs"] = new { p50 = total.P50, p90 = total.P90, p99 = total.P99, max = total.Max };
        _summary["peakRssMb"] = Math.Round(peakRss);
        _summary["peakRssBeforeMidnightMb"] = Math.Round(peakRssBeforeMidnight);
        _summary["peakGcHeapMb"] = Math.Round(peakHeap);
        _summary["peakRunningReminders"] = peakActive;
        _summary["peakActivations"] = peakActivations;
        _summary["maxTicksInFlight"] = probe.MaxInFlight;
        _summary["aborted"] = aborted;
        _summary["loadavgAtEnd"] = SelfProc.LoadAverage();

        if (!aborted)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var liveAfter = GC.GetTotalMemory(true);
            var (rssAfter, _) = SelfProc.Memory();
            Log($"after the storm: live heap after a full GC {liveAfter / 1048576.0:F0} MB, RSS {rssAfter:F0} MB");
            _summary["liveHeapAfterStormMb"] = Math.Round(liveAfter / 1048576.0);
        }
        var stop = Stopwatch.StartNew();
        await StopAsync(host);
        Log($"silo stopped in {stop.Elapsed.TotalSeconds:F1} s");

        await File.WriteAllTextAsync(Path.Combine(outDir, label + ".csv"), csv.ToString());
        await File.WriteAllTextAsync(Path.Combine(outDir, label + ".log"), _report.ToString());
        await File.WriteAllTextAsync(Path.Combine(outDir, label + ".json"),
            JsonSerializer.Serialize(_summary, new JsonSerializerOptions { WriteIndented = true }));
        Log($"wrote {Path.Combine(outDir, label)}.{{csv,log,json}}");
        return exitCode;
    }
}
