using Sanmenxia.Platform.Options;

namespace Sanmenxia.Platform.Time;

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
