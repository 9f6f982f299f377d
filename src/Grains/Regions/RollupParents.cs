using System.Collections.Concurrent;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// The regions that roll-up nodes on this silo (villages, regions, checkpoints) have pushed counts to: what
/// <see cref="RollupRecovery"/> wakes when another silo is declared dead. A silo-wide singleton; a node notes its parent
/// at every push (a lookup once the code is known). Kept for the silo's life: one short string per region (the city
/// has about 2,800), and a stale one (a region moved under another parent) only costs one cheap call after a death.
/// </summary>
public sealed class RollupParents
{
    private readonly ConcurrentDictionary<string, byte> _codes = new(StringComparer.Ordinal);

    /// <summary>Notes that a node on this silo reports to <paramref name="parentCode"/>.</summary>
    public void Noted(string parentCode) => _codes.TryAdd(parentCode, 0);

    /// <summary>The parents noted so far, in no particular order.</summary>
    public IReadOnlyList<string> Snapshot() => _codes.Keys.ToList();

    /// <summary>
    /// How a village or region sends its counts up (<see cref="UpwardReporter{T}.PushAsync"/>): to its current parent
    /// region, noted first in <paramref name="parents"/> (absent in tests without recovery); nothing without a parent.
    /// </summary>
    public static Func<RegionCounts, long, Task> ReportToParent(RollupParents? parents, IGrainFactory grains, string code, Func<RegionCode?> parent) =>
        (counts, version) =>
        {
            if (parent() is not { } to) return Task.CompletedTask;
            parents?.Noted(to.Value);
            return grains.GetGrain<IRegionGrain>(to.Value).ReportChildAsync(code, counts, version);
        };
}
