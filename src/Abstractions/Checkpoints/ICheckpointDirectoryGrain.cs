namespace Sanmenxia.Checkpoints;

/// <summary>A checkpoint's line in the directory.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointEntry")]
public sealed record CheckpointEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string RegionCode,
    [property: Id(3)] string ReportsTo);

/// <summary>Every checkpoint (about 4,136 for the city: small enough for one grain), so a region finds its checkpoints after reactivation. Key 0.</summary>
[Alias("sanmenxia.ICheckpointDirectoryGrain")]
public interface ICheckpointDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task AddAsync(IReadOnlyList<CheckpointEntry> entries);
    /// <summary>The checkpoints that report to a region grain (its own, and its villages' for a township).</summary>
    [Alias("ReportingTo")] Task<IReadOnlyList<CheckpointEntry>> GetReportingToAsync(string regionCode);
    [Alias("List")] Task<IReadOnlyList<CheckpointEntry>> ListAsync(string? regionPrefix, int skip, int take);
    [Alias("Count")] Task<int> CountAsync();
}
