using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

[GenerateSerializer, Alias("sanmenxia.RegionDirectoryState")]
public sealed class RegionDirectoryState
{
    /// <summary>Every region by code: about 2,800 entries for the city, small enough for one grain.</summary>
    [Id(0)] public Dictionary<string, RegionInfo> Regions { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The region tree as a list: for pages, for validation caches, and for regions to find their children.</summary>
public sealed class RegionDirectoryGrain(
    [PersistentState("regions", StorageNames.Default)] IPersistentState<RegionDirectoryState> state) : Grain, IRegionDirectoryGrain
{
    public async Task<int> LoadAsync(IReadOnlyList<RegionInfo> regions)
    {
        foreach (var region in regions) state.State.Regions[region.Code.Value] = region;
        await state.WriteOrForgetAsync(this);
        return state.State.Regions.Count;
    }

    public Task<IReadOnlyList<RegionInfo>> GetAllAsync() =>
        Task.FromResult<IReadOnlyList<RegionInfo>>(state.State.Regions.Values.OrderBy(r => r.Code).ToList());

    public Task<IReadOnlyList<RegionInfo>> GetChildrenAsync(string parentCode) =>
        Task.FromResult<IReadOnlyList<RegionInfo>>(state.State.Regions.Values
            .Where(r => r.ParentCode?.Value == parentCode).OrderBy(r => r.Code).ToList());

    public Task<RegionInfo?> GetAsync(string code) =>
        Task.FromResult(state.State.Regions.GetValueOrDefault(code));
}
