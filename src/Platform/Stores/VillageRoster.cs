using System.Collections.Concurrent;
using Sanmenxia.Residents;

namespace Sanmenxia.Platform.Stores;

/// <summary>
/// Where a village keeps its residents' summaries (the village_resident table in PostgreSQL): one row per
/// resident, so a flush writes only what changed instead of the whole village. A summary is a projection of
/// the resident grain's state, versioned by it: an older version never replaces a newer one.
/// </summary>
public interface IVillageRoster
{
    /// <summary>Every summary the village holds (about 1,000 at city scale), in no particular order.</summary>
    Task<IReadOnlyList<ResidentSummary>> LoadAsync(string villageCode, CancellationToken ct = default);

    /// <summary>
    /// Stores the changed summaries (a <see cref="ResidentSummary.Removed"/> one deletes the row) and completes
    /// once they are durable. A summary older than the stored one changes nothing.
    /// </summary>
    Task SaveAsync(string villageCode, IReadOnlyCollection<ResidentSummary> changed, CancellationToken ct = default);
}

/// <summary>For unit tests and memory-provider runs only; survives grain deactivation, not the process.</summary>
public sealed class InMemoryVillageRoster : IVillageRoster
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ResidentSummary>> _villages = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<ResidentSummary>> LoadAsync(string villageCode, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<ResidentSummary>>(_villages.TryGetValue(villageCode, out var rows) ? rows.Values.ToList() : []);

    public Task SaveAsync(string villageCode, IReadOnlyCollection<ResidentSummary> changed, CancellationToken ct = default)
    {
        var rows = _villages.GetOrAdd(villageCode, _ => new(StringComparer.Ordinal));
        foreach (var summary in changed)
        {
            if (rows.TryGetValue(summary.ResidentKey, out var stored) && stored.Version >= summary.Version) continue;
            if (summary.Removed) rows.TryRemove(summary.ResidentKey, out _);
            else rows[summary.ResidentKey] = summary;
        }
        return Task.CompletedTask;
    }
}
