using Orleans.Concurrency;
using Sanmenxia.Checkpoints;
using Sanmenxia.Regions;

namespace Sanmenxia.Villages;

/// <summary>
/// City, county or township: the sum of its children and its checkpoints, pushed up the tree when it changed, at most
/// once per upward interval (250 ms).
/// Key: 6- or 9-digit region code.
/// </summary>
[Alias("sanmenxia.IRegionGrain")]
public interface IRegionGrain : IGrainWithStringKey
{
    // Setup by an administrator (a whole tree at once): exempt from the short failover timeout (Orleans:ResponseTimeout).
    [ResponseTimeout("00:00:30")][Alias("Define")] Task DefineAsync(RegionInfo info);
    [Alias("Info")] Task<RegionInfo?> GetInfoAsync();
    /// <summary>A child's latest full counts, with the child's version: older versions are ignored.</summary>
    [Alias("ReportChild")] Task ReportChildAsync(string childCode, RegionCounts counts, long version);
    /// <summary>
    /// A checkpoint's today's totals, with the checkpoint's version: older versions are ignored. Summed into the
    /// region's counts (<see cref="RegionCounts.Checkpoints"/>), never a line of its children's table.
    /// </summary>
    [Alias("ReportCheckpoint")] Task ReportCheckpointAsync(CheckpointReport report);
    /// <summary>
    /// A ticket tally's counts (<see cref="Sanmenxia.Tickets.ITicketTallyGrain"/>, key <paramref name="source"/>: the
    /// tally's region, this region or one of its villages), with the tally's version: older versions are ignored.
    /// Summed into <see cref="RegionCounts.Tickets"/>; a village's tally also goes into that village's line.
    /// </summary>
    [Alias("ReportTickets")] Task ReportTicketsAsync(string source, Sanmenxia.Tickets.TicketCounts counts, long version);
    /// <summary>Read-only and interleaving, so a parent pulling counts never waits on a child that is pushing to it.</summary>
    [Alias("Counts"), AlwaysInterleave] Task<RegionCounts> GetCountsAsync();
    [Alias("Children")] Task<IReadOnlyList<ChildCounts>> GetChildrenAsync();
}
