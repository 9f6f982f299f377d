using Sanmenxia.Platform.Stores;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// Throttles a grain's history writes: the current day's row is upserted when the counts changed and the interval has
/// passed, and when the day changes the previous day's row is closed with its last value (kept due until written).
/// </summary>
public sealed class HistoryThrottle(TimeSpan interval)
{
    private DateOnly? _day;
    private RegionCounts? _written;
    private RegionCounts? _latest;
    private RegionDay? _closing;
    private long _lastWriteMs = long.MinValue / 2; // real time: a fake or simulated clock must not stop the writes

    /// <summary>The rows to write now: (day, counts) pairs, oldest first.</summary>
    public IReadOnlyList<RegionDay> Due(DateOnly today, RegionCounts counts)
    {
        if (_day != today)
        {
            if (_day is { } day && _latest is { } closing && closing != _written) _closing = new RegionDay(day, closing);
            _day = today;
            _written = null;
        }
        _latest = counts;
        var due = new List<RegionDay>(2);
        if (_closing is { } previous) due.Add(previous);
        if (counts != _written && Environment.TickCount64 - _lastWriteMs >= interval.TotalMilliseconds) due.Add(new RegionDay(today, counts));
        return due;
    }

    public void Written(RegionDay row)
    {
        if (row == _closing) _closing = null;
        else if (row.Day == _day) { _written = row.Counts; _lastWriteMs = Environment.TickCount64; }
    }

    /// <summary>How long until a row falls due (zero if one is due now); null when everything is written.</summary>
    public TimeSpan? DueIn
    {
        get
        {
            if (_closing is not null) return TimeSpan.Zero;
            if (_latest is null || _latest == _written) return null;
            var wait = interval.TotalMilliseconds - (Environment.TickCount64 - _lastWriteMs);
            return wait > 0 ? TimeSpan.FromMilliseconds(wait) : TimeSpan.Zero;
        }
    }
}
