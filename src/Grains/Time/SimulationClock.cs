namespace Sanmenxia.Grains.Time;

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

/// <summary>
/// Time as the system sees it. Real time by default; in simulation, time runs Speed× faster from a shared
/// anchor, so drills and the load tester live through days in minutes. Reminders and timers take real
/// durations: <see cref="ToRealDelay"/> converts.
/// </summary>
public sealed class SimulationClock : TimeProvider
{
    private readonly TimeProvider _real;
    private readonly SimulationOptions _options;

    public SimulationClock(SimulationOptions options, TimeProvider? real = null)
    {
        if (options.Speed <= 0) throw new ArgumentOutOfRangeException(nameof(options), "Simulation:Speed must be positive.");
        _options = options;
        _real = real ?? System;
    }

    public double Speed => _options.Speed;

    public override DateTimeOffset GetUtcNow()
    {
        var realElapsed = _real.GetUtcNow() - _options.AnchorRealTime;
        return (_options.AnchorSimulatedTime + TimeSpan.FromTicks((long)(realElapsed.Ticks * _options.Speed))).ToUniversalTime();
    }

    public override long GetTimestamp() => _real.GetTimestamp();
    public override long TimestampFrequency => _real.TimestampFrequency;
}

/// <summary>
/// The clock of the epidemic's world (health-code days, deadlines, needs, QR expiry), registered as a keyed
/// TimeProvider. It is the simulation clock in drills and a fake clock in tests, while Orleans' own timers,
/// token lifetimes and audit timestamps keep running on real time.
/// </summary>
public static class DomainClock
{
    public const string Key = "sanmenxia-domain";
}

/// <summary>How simulated durations map to the real durations that reminders and timers need.</summary>
public sealed record TimeScale(double Speed)
{
    public static TimeScale RealTime { get; } = new(1);
    public TimeSpan ToRealDelay(TimeSpan simulated) => TimeSpan.FromTicks((long)(simulated.Ticks / Speed));
}
