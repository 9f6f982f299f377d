namespace Sanmenxia.Benchmarks;

/// <summary>The knobs of one reminders benchmark run (src/Benchmarks -- reminders, read in BenchmarkProgram).</summary>
public sealed class ReminderBenchSettings
{
    public int Count { get; init; }
    /// <summary>Deadlines:SpreadAfterMidnight in simulated minutes (0 = every tick at midnight).</summary>
    public double SpreadMinutes { get; init; }
    /// <summary>Simulation:Speed: simulated seconds per real second. Tick rate = N / (spread / speed).</summary>
    public double Speed { get; init; }
    /// <summary>Real seconds from the start of the command to the simulated midnight (insert + silo start must fit).</summary>
    public double MidnightInSeconds { get; init; }
    public double AfterStormSeconds { get; init; }
    public double MaxSeconds { get; init; }
    public double MaxRssGb { get; init; }
    public bool KeepRows { get; init; }
    public string Label { get; init; } = "";
    public string OutDir { get; init; } = "";
    /// <summary>"grain": ResidentGrain.SpreadOffset as written (32-bit FNV modulo the window's ticks); "uniform": the same
    /// hash modulo the window's milliseconds, which spreads over the whole window (see docs/reminders.md).</summary>
    public string Offsets { get; init; } = "grain";
}
