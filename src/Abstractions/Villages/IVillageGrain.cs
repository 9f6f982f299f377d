using Orleans.Concurrency;
using Sanmenxia.Regions;
using Sanmenxia.Residents;

namespace Sanmenxia.Villages;

/// <summary>A village or community (村/社区): its residents' summaries and counts. Key: 12-digit region code.</summary>
[Alias("sanmenxia.IVillageGrain")]
public interface IVillageGrain : IGrainWithStringKey
{
    // Setup by an administrator (a whole tree at once): exempt from the short failover timeout (Orleans:ResponseTimeout).
    [ResponseTimeout("00:00:30")][Alias("Define")] Task DefineAsync(RegionInfo info);
    /// <summary>Null when the code is not a known village: callers refuse it as an unknown region.</summary>
    [Alias("Info")] Task<RegionInfo?> GetInfoAsync();
    /// <summary>
    /// Applies a resident's summary if it is newer than the one held (idempotent), counts it and completes once it is stored: concurrent reports to one village share one write
    /// (interleaved), so an acknowledged report survives a crash of the village's silo.
    /// </summary>
    [Alias("Report"), AlwaysInterleave] Task ReportAsync(ResidentSummary summary);
    /// <summary>Read-only and interleaving, so a parent pulling counts never waits on a child that is pushing to it.</summary>
    [Alias("Counts"), AlwaysInterleave] Task<RegionCounts> GetCountsAsync();
    [Alias("List")] Task<Page<VillageResident>> ListResidentsAsync(VillageResidentFilter filter, int skip, int take);
    [Alias("Has")] Task<bool> HasResidentAsync(string residentKey);
    /// <summary>Residents with any key-person register entry (for the register list; a small share of a village).</summary>
    [Alias("KeyPersonResidents")] Task<IReadOnlyList<ResidentSummary>> GetKeyPersonResidentsAsync();
}
