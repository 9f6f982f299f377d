namespace Sanmenxia.Platform.Options;

/// <summary>Settings of the simulation clock, section "Simulation". Off by default.</summary>
public sealed class SimulationOptions
{
    public const string Section = "Simulation";
    public bool Enabled { get; set; }
    /// <summary>How many simulated seconds pass per real second (1440 = a day per minute).</summary>
    public double Speed { get; set; } = 1440;
    /// <summary>The simulated instant at <see cref="AnchorRealTime"/>; every process of a cluster shares both.</summary>
    public DateTimeOffset AnchorSimulatedTime { get; set; } = new(2020, 2, 1, 8, 0, 0, TimeSpan.FromHours(8));
    public DateTimeOffset AnchorRealTime { get; set; } = DateTimeOffset.UnixEpoch;
}
