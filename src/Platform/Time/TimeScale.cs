namespace Sanmenxia.Platform.Time;

/// <summary>How simulated durations map to the real durations that reminders and timers need.</summary>
public sealed record TimeScale(double Speed)
{
    public static TimeScale RealTime { get; } = new(1);
    public TimeSpan ToRealDelay(TimeSpan simulated) => TimeSpan.FromTicks((long)(simulated.Ticks / Speed));
}
