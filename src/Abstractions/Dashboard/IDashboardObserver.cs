namespace Sanmenxia.Dashboard;

/// <summary>
/// One API process's push endpoint: a grain observer wrapping that process's SignalR hub context.
/// Implemented in src/Api; called by the dashboard notifier grains.
/// </summary>
[Alias("sanmenxia.IDashboardObserver")]
public interface IDashboardObserver : IGrainObserver
{
    /// <summary>The latest update of each region that changed since the last call (at most one per region).</summary>
    [Alias("OnUpdates")] Task OnRegionUpdatesAsync(IReadOnlyList<RegionUpdate> updates);
}
