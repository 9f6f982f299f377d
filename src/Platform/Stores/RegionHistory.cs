using System.Collections.Concurrent;
using Sanmenxia.Villages;

namespace Sanmenxia.Platform.Stores;

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
