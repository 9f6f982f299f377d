using System.Collections.Concurrent;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.History;

public sealed record RegionDay(DateOnly Day, RegionCounts Counts);

/// <summary>The daily history of each region's counts (one row per region per day), for trend charts.</summary>
public interface IRegionHistory
{
    /// <summary>Upserts the row of (region, day); completes once it is durable.</summary>
    Task WriteAsync(string regionCode, DateOnly day, RegionCounts counts);
    Task<IReadOnlyList<RegionDay>> ReadAsync(string regionCode, DateOnly from, DateOnly to);
}

/// <summary>For tests and memory-provider runs only.</summary>
public sealed class InMemoryRegionHistory : IRegionHistory
{
    private readonly ConcurrentDictionary<(string, DateOnly), RegionCounts> _rows = new();

    public Task WriteAsync(string regionCode, DateOnly day, RegionCounts counts)
    {
        _rows[(regionCode, day)] = counts;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RegionDay>> ReadAsync(string regionCode, DateOnly from, DateOnly to) =>
        Task.FromResult<IReadOnlyList<RegionDay>>(_rows
            .Where(r => r.Key.Item1 == regionCode && r.Key.Item2 >= from && r.Key.Item2 <= to)
            .Select(r => new RegionDay(r.Key.Item2, r.Value)).OrderBy(r => r.Day).ToList());
}

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
