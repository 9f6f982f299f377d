using Orleans.Concurrency;

namespace Sanmenxia.Checkpoints;

/// <summary>A checkpoint (检测点). Key: checkpoint id, e.g. "cp-411202001-0001".</summary>
[Alias("sanmenxia.ICheckpointGrain")]
public interface ICheckpointGrain : IGrainWithStringKey
{
    /// <summary>Creates or updates the definition (name, region, policy, staff) and lists it in the directory.</summary>
    // Setup by an administrator (a whole tree at once): exempt from the short failover timeout (Orleans:ResponseTimeout).
    [ResponseTimeout("00:00:30")][Alias("Define")] Task<CheckpointDefineOutcome> DefineAsync(CheckpointInfo info);
    [Alias("Info"), AlwaysInterleave] Task<CheckpointInfo?> GetInfoAsync();
    [Alias("AddStaff")] Task<CheckpointInfo?> AddStaffAsync(string username);
    /// <summary>Registers a pass: decides per policy, detects duplicates, writes the row (acknowledged after commit), counts it.</summary>
    [Alias("Register")] Task<PassResult> RegisterPassAsync(PassAttempt attempt);
    /// <summary>
    /// Records passes a device kept offline, each exactly once by its client id (the store's unique key), then recounts the
    /// days they fall on (today's counters and the region report; an earlier day's aggregate row). Returns the ids newly recorded.
    /// </summary>
    [Alias("RegisterOffline")] Task<IReadOnlyList<Guid>> RegisterOfflineAsync(IReadOnlyList<OfflinePassAttempt> attempts);
    [Alias("Today"), AlwaysInterleave] Task<CheckpointDayCounts> GetTodayAsync();
    /// <summary>Read-only and interleaving, so a region pulling counts never waits on a checkpoint that is pushing to it.</summary>
    [Alias("Totals"), AlwaysInterleave] Task<CheckpointTotals> GetTotalsAsync();
}
