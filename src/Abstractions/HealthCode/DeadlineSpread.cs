namespace Sanmenxia.HealthCode;

/// <summary>
/// Where in a window after midnight a grain's daily reminder falls: a stable hash of the key scaled onto the window,
/// so the villages' and checkpoints' day rolls spread evenly instead of firing in the same second (DayRollSpread).
/// </summary>
public static class DeadlineSpread
{
    public static TimeSpan Offset(string key, TimeSpan window)
    {
        if (window <= TimeSpan.Zero) return TimeSpan.Zero;
        // FNV-1a: stable across processes (string.GetHashCode is randomised per process).
        uint hash = 2166136261;
        foreach (var c in key) hash = (hash ^ c) * 16777619;
        // Scale the 32-bit hash onto the window (a modulo would never exceed 2^32 ticks, about 7 minutes).
        return TimeSpan.FromTicks((long)(hash / ((double)uint.MaxValue + 1) * window.Ticks));
    }
}
