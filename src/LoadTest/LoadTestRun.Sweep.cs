using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>Phase "sweep": the villages' day close at the next simulated midnight, read back from the database.</summary>
public sealed partial class LoadTestRun
{
    /// <summary>The day close at the next simulated midnight (DayCloseSweep): needs the simulation clock.</summary>
    private async Task<PhaseRecorder> SweepAsync(ProgressTask task, string dataDir, Secrets secrets)
    {
        var timeline = SimulationTimeline.Read(dataDir) ?? throw new LoadTestException(
            "the sweep phase needs the simulation clock: start the system with SANMENXIA_SIMULATION_SPEED=… (docs/benchmarks.md)");
        var recorder = new PhaseRecorder("sweep", "resident state written by the villages' day close (lateness = write − village day roll)", 0);
        task.MaxValue = 1;
        await DayCloseSweep.RunAsync(recorder, secrets.PgConnectionString, timeline, o.SweepSpread, TimeSpan.FromSeconds(o.MaxSeconds), f => task.Value = f);
        return recorder;
    }
}
