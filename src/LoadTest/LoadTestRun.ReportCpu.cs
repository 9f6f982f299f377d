using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>The report's honesty figures: CPU per operation by process, the open loop's send accounting, the sampler's own cost, silo RSS.</summary>
public sealed partial class LoadTestRun
{
    private SamplerCost? _samplerCost;
    private List<RssSeries> _siloRss = [];

    private string MarkdownCpu()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var sampled = _phases.Where(p => p.CpuPerOp is not null).ToList();
        if (sampled.Count > 0)
        {
            var names = sampled.SelectMany(p => p.CpuPerOp!.MsPerOpByProcess.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            sb.AppendLine("CPU per operation in ms (CPU seconds of the process from the phase's first send to its last answer ÷ operations; system = silos + APIs + PostgreSQL; issue 20's target for a cold clock-in: ≤ 0.35 ms):");
            sb.AppendLine();
            sb.AppendLine("| phase | system ms/op | system cores busy | " + string.Join(" | ", names) + " |");
            sb.AppendLine("| --- | ---: | ---: |" + string.Concat(names.Select(_ => " ---: |")));
            foreach (var p in sampled)
                sb.Append(inv, $"| {p.Phase} | **{p.CpuPerOp!.SystemMsPerOp}** | {p.CpuPerOp.SystemCoresBusy} | ")
                  .AppendJoin(" | ", names.Select(n => p.CpuPerOp.MsPerOpByProcess.TryGetValue(n, out var v) ? v.ToString(inv) : "–")).AppendLine(" |");
            sb.AppendLine();
        }
        foreach (var p in _phases)
            if (p.Extra.TryGetValue("openLoop", out var value) && value is OpenLoopReport r)
                sb.AppendLine(inv, $"- {p.Phase}, open loop at {r.TargetRate:N0}/s: sent {r.Sent:N0} of {r.Planned:N0}, achieved {r.AchievedRate:N0}/s, dropped at the in-flight cap ({r.MaxInFlight:N0}) {r.Dropped:N0}, sends > 10 ms late {r.LateShare:P2} (max lag {r.MaxSendLagMs} ms), max in flight {r.MaxInFlightSeen:N0}, backlog when the last was sent {r.BacklogAtEnd:N0}, drained in {r.DrainSeconds} s: **{(r.KeptUp ? "kept up" : "did not keep up")}**.");
        if (_samplerCost is { } cost)
            sb.AppendLine(inv, $"- Sampler's own cost: {cost.CpuPercentOfCore} % of one core ({cost.CpuSeconds} CPU s over {cost.WallSeconds} s; {cost.MicrosPerSample} µs per 1 s sample; {cost.CpuPercentOfCoreAfterFirstSample} % without the first sample's {cost.FirstSampleMs} ms of JIT; PostgreSQL PSS every {cost.PssEverySeconds} s).");
        foreach (var silo in _siloRss)
            sb.AppendLine(inv, $"- {silo.Process} RSS: peak {silo.PeakMb:N0} MB, last {silo.LastMb:N0} MB ({silo.Points.Count} points of ≤ 1 per {silo.BucketSeconds} s in the JSON, `siloRss`).");
        return sb.ToString();
    }

    private void PrintCpu()
    {
        foreach (var p in _phases.Where(p => p.CpuPerOp is not null))
            AnsiConsole.MarkupLineInterpolated($"CPU per op, {p.Phase}: system [bold]{p.CpuPerOp!.SystemMsPerOp} ms[/] ({string.Join(", ", p.CpuPerOp.MsPerOpByProcess.Select(kv => $"{kv.Key} {kv.Value}"))})");
        if (_samplerCost is { } cost) AnsiConsole.MarkupLineInterpolated($"Sampler: {cost.CpuPercentOfCore} % of one core ({cost.MicrosPerSample} µs per sample; {cost.CpuPercentOfCoreAfterFirstSample} % without the first sample's {cost.FirstSampleMs} ms)");
        foreach (var silo in _siloRss) AnsiConsole.MarkupLineInterpolated($"{silo.Process} RSS: peak {silo.PeakMb:N0} MB, last {silo.LastMb:N0} MB");
    }
}
