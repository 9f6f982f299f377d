using System.Collections.Concurrent;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Regions;

/// <summary>
/// The region tree cached in each API process, so validating a region code costs no grain call. A miss
/// refreshes from the directory grain (at most every few seconds), so newly imported regions appear quickly.
/// </summary>
public sealed class RegionCatalog(IGrainFactory grains, TimeProvider clock)
{
    private static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(2);
    private volatile IReadOnlyDictionary<string, RegionInfo> _byCode = new Dictionary<string, RegionInfo>();
    private volatile ILookup<string, RegionInfo> _byParent = Array.Empty<RegionInfo>().ToLookup(r => "");
    private DateTimeOffset _refreshedAt = DateTimeOffset.MinValue;
    private readonly SemaphoreSlim _refresh = new(1, 1);

    public async Task<RegionInfo?> FindAsync(string? code)
    {
        if (string.IsNullOrEmpty(code)) return null;
        if (_byCode.TryGetValue(code, out var region)) return region;
        await RefreshAsync(force: false);
        return _byCode.GetValueOrDefault(code);
    }

    public async Task<IReadOnlyList<RegionInfo>> ChildrenAsync(string parent)
    {
        if (_byCode.Count == 0) await RefreshAsync(force: false);
        return _byParent[parent].OrderBy(r => r.Code).ToList();
    }

    public int Count => _byCode.Count;

    public async Task RefreshAsync(bool force)
    {
        await _refresh.WaitAsync();
        try
        {
            if (!force && clock.GetUtcNow() - _refreshedAt < MinRefreshInterval && _byCode.Count > 0) return;
            var all = await grains.GetGrain<IRegionDirectoryGrain>(0).GetAllAsync();
            _byCode = all.ToDictionary(r => r.Code.Value, StringComparer.Ordinal);
            _byParent = all.ToLookup(r => r.ParentCode?.Value ?? "");
            _refreshedAt = clock.GetUtcNow();
        }
        finally
        {
            _refresh.Release();
        }
    }
}

/// <summary>Loads a region tree into the directory and defines every region's grain.</summary>
public static class RegionLoader
{
    public static async Task<int> LoadAsync(IGrainFactory grains, IReadOnlyList<RegionInfo> regions, CancellationToken ct)
    {
        await grains.GetGrain<IRegionDirectoryGrain>(0).LoadAsync(regions);
        await Parallel.ForEachAsync(regions, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (region, _) =>
        {
            if (region.Level == RegionLevel.Village) await grains.GetGrain<IVillageGrain>(region.Code.Value).DefineAsync(region);
            else await grains.GetGrain<IRegionGrain>(region.Code.Value).DefineAsync(region);
        });
        return regions.Count;
    }
}
