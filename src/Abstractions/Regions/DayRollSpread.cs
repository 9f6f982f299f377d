using Sanmenxia.HealthCode;

namespace Sanmenxia.Regions;

/// <summary>
/// When a village's day-roll or a checkpoint's day-close reminder first falls: just after the next local midnight,
/// at a stable spread by a hash of the grain's key (<see cref="DeadlineSpread.Offset"/>), over a window narrowed to at
/// most <see cref="MaxWindow"/>.
/// </summary>
/// <remarks>
/// Villages and checkpoints are few (about 2,700 and 4,136: some 23 a second over five minutes), and a village's
/// reminder carries the new day's colours to its township, the city's dashboards and the daily history when nobody
/// acts, and starts its residents' day close (ResidentDayClose: residents hold no reminder of their own). Spread over
/// the hour, the city would show a mix of both days for an hour; over five minutes, for five minutes. The residents'
/// day close needs no spread of its own: the villages pace it with bounded work in flight (DayCloseThrottle). A
/// configured window shorter than five minutes (tests, benchmarks) is used as it is.
/// </remarks>
public static class DayRollSpread
{
    public static readonly TimeSpan MaxWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Always at least this long after midnight: a reminder may fire a little early (a simulated delay rounded to real
    /// time), and one that fired just before midnight would find the old day still current and roll nothing.
    /// </summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    /// <summary>The window villages and checkpoints spread over: the configured one, at most <see cref="MaxWindow"/>.</summary>
    public static TimeSpan Window(TimeSpan configured) => configured < MaxWindow ? configured : MaxWindow;

    /// <summary>How long after local midnight the reminder of <paramref name="key"/> falls (the same every day).</summary>
    public static TimeSpan Offset(string key, TimeSpan configured) => Margin + DeadlineSpread.Offset(key, Window(configured));
}
