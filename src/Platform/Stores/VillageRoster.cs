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

/// <summary>
/// A village_resident row a resident's write carries: the resident's summary for <paramref name="VillageCode"/>, or (a
/// <see cref="ResidentSummary.Removed"/> summary) the deletion of its row there, at the summary's version.
/// </summary>
public readonly record struct VillageRow(string VillageCode, ResidentSummary Summary);

/// <summary>
/// A grain state that carries its owner's village rows to its next write. A grain storage that recognises it (the batched
/// PostgreSQL storage) writes the rows in the same transaction as the state, and only if the state's write succeeded (its
/// version check passed): the resident's stored summary row is then the durable report to its village. Other storages
/// ignore it, and the village writes the rows itself (<see cref="Options.VillageRosterOptions"/>). The rows are not part of
/// the state: the grain sets them just before a write or clear and empties them after.
/// </summary>
public interface IVillageRowCarrier
{
    /// <summary>The rows to store with the state's next write (or clear); empty when none.</summary>
    IReadOnlyList<VillageRow> VillageRows { get; }
}
