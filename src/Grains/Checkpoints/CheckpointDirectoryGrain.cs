using Sanmenxia.Checkpoints;
using Sanmenxia.Regions;

namespace Sanmenxia.Grains.Checkpoints;

[GenerateSerializer, Alias("sanmenxia.CheckpointDirectoryState")]
public sealed class CheckpointDirectoryState
{
    /// <summary>Every checkpoint by id: about 4,136 short entries for the city.</summary>
    [Id(0)] public Dictionary<string, CheckpointEntry> Checkpoints { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The list of checkpoints, so a region grain finds its checkpoints after reactivation and pages can list them.</summary>
public sealed class CheckpointDirectoryGrain(
    [PersistentState("checkpoints", StorageNames.Default)] IPersistentState<CheckpointDirectoryState> state) : Grain, ICheckpointDirectoryGrain
{
    private ILookup<string, CheckpointEntry>? _byTarget;

    public async Task AddAsync(IReadOnlyList<CheckpointEntry> entries)
    {
        var changed = false;
        foreach (var entry in entries)
        {
            if (state.State.Checkpoints.TryGetValue(entry.Id, out var known) && known == entry) continue;
            state.State.Checkpoints[entry.Id] = entry;
            changed = true;
        }
        if (!changed) return;
        _byTarget = null;
        await state.WriteOrForgetAsync(this);
    }

    public Task<IReadOnlyList<CheckpointEntry>> GetReportingToAsync(string regionCode)
    {
        _byTarget ??= state.State.Checkpoints.Values.ToLookup(c => c.ReportsTo, StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<CheckpointEntry>>(_byTarget[regionCode].OrderBy(c => c.Id, StringComparer.Ordinal).ToList());
    }

    public Task<IReadOnlyList<CheckpointEntry>> ListAsync(string? regionPrefix, int skip, int take)
    {
        IEnumerable<CheckpointEntry> all = state.State.Checkpoints.Values;
        if (regionPrefix is not null && RegionCode.TryParse(regionPrefix, out var region))
            all = all.Where(c => RegionCode.TryParse(c.RegionCode, out var code) && code.IsWithin(region));
        return Task.FromResult<IReadOnlyList<CheckpointEntry>>(all.OrderBy(c => c.Id, StringComparer.Ordinal).Skip(skip).Take(take).ToList());
    }

    public Task<int> CountAsync() => Task.FromResult(state.State.Checkpoints.Count);
}
