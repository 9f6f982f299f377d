using Sanmenxia.Platform.Stores;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// Throttles a grain's history writes: the current day's row is upserted when the counts changed and a
/// minute has passed, and always when the day changes (closing yesterday's row with its last value).
/// </summary>
public sealed class HistoryThrottle(TimeSpan interval)
{
    private DateOnly? _day;
    private RegionCounts? _written;
    private RegionCounts? _latest;
    private long _lastWriteMs = long.MinValue / 2;

    /// <summary>The rows to write now: (day, counts) pairs, oldest first.</summary>
    public IReadOnlyList<RegionDay> Due(DateOnly today, RegionCounts counts, bool force = false)
    {
        var due = new List<RegionDay>();
        if (_day is { } day && day != today && _latest is { } closing && closing != _written)
            due.Add(new RegionDay(day, closing)); // close the previous day with its last value
        if (_day != today) { _day = today; _written = null; }
        _latest = counts;
        if (counts != _written && (force || Environment.TickCount64 - _lastWriteMs >= interval.TotalMilliseconds))
            due.Add(new RegionDay(today, counts));
        return due;
    }

    public void Written(RegionDay row)
    {
        if (row.Day == _day) { _written = row.Counts; _lastWriteMs = Environment.TickCount64; }
    }
}
