using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Sanmenxia.Dashboard;
using Sanmenxia.Api.Regions;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Dashboard;

/// <summary>
/// This API process's end of the push path: a grain observer that forwards region updates to the SignalR
/// groups of this process. A township's update also carries its villages' lines, so a village's watchers get
/// their own update from it (only when that village's counts changed) without a grain publishing per village.
/// </summary>
public sealed class DashboardObserver(IHubContext<DashboardHub> hub, RegionCatalog regions, ILogger<DashboardObserver> logger) : IDashboardObserver
{
    private readonly ConcurrentDictionary<string, RegionCounts> _villages = new(StringComparer.Ordinal);

    /// <summary>Updates received, for metrics and tests.</summary>
    public long Received => Interlocked.Read(ref _received);
    private long _received;

    public async Task OnRegionUpdatesAsync(IReadOnlyList<RegionUpdate> updates)
    {
        Interlocked.Add(ref _received, updates.Count);
        var sends = new List<Task>(updates.Count);
        foreach (var published in updates)
        {
            var update = await WithNamesAsync(published, regions);
            sends.Add(hub.Clients.Group(DashboardHub.Group(update.Code)).SendAsync(DashboardHub.UpdateMethod, update));
            if (!RegionCode.TryParse(update.Code, out var code) || code.Level != RegionLevel.Township) continue;
            foreach (var village in update.Children)
            {
                if (_villages.TryGetValue(village.Code, out var known) && known == village.Counts) continue;
                _villages[village.Code] = village.Counts;
                var derived = new RegionUpdate(village.Code, village.Name, village.Counts, [], update.Version, update.At);
                sends.Add(hub.Clients.Group(DashboardHub.Group(village.Code)).SendAsync(DashboardHub.UpdateMethod, derived));
            }
        }
        try
        {
            await Task.WhenAll(sends);
        }
        catch (Exception e)
        {
            // A browser's connection failing must not fail the grain call (the notifier would count it as ours).
            logger.LogDebug("Dashboard update not delivered to every connection: {Error}", e.GetType().Name);
        }
    }

    /// <summary>
    /// A region grain names a child by its code until it has read the directory (a region defined before it
    /// was first activated); the dashboard names it from this process's region catalog instead.
    /// </summary>
    internal static async ValueTask<RegionUpdate> WithNamesAsync(RegionUpdate update, RegionCatalog regions)
    {
        if (update.Children.All(c => c.Name != c.Code)) return update;
        var children = new List<ChildCounts>(update.Children.Count);
        foreach (var child in update.Children)
            children.Add(child.Name != child.Code ? child : child with { Name = (await regions.FindAsync(child.Code))?.Name ?? child.Code });
        return update with { Children = children };
    }
}
