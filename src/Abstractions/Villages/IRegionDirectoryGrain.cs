using Sanmenxia.Regions;

namespace Sanmenxia.Villages;

/// <summary>The whole region tree as a list, for pages and validation caches. Single instance, key 0.</summary>
[Alias("sanmenxia.IRegionDirectoryGrain")]
public interface IRegionDirectoryGrain : IGrainWithIntegerKey
{
    // Setup by an administrator (a whole tree at once): exempt from the short failover timeout (Orleans:ResponseTimeout).
    [ResponseTimeout("00:00:30")][Alias("Load")] Task<int> LoadAsync(IReadOnlyList<RegionInfo> regions);
    [Alias("All")] Task<IReadOnlyList<RegionInfo>> GetAllAsync();
    [Alias("Children")] Task<IReadOnlyList<RegionInfo>> GetChildrenAsync(string parentCode);
    [Alias("Get")] Task<RegionInfo?> GetAsync(string code);
}
