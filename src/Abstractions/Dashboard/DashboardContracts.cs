using Orleans.Concurrency;
using Sanmenxia.Villages;

namespace Sanmenxia.Dashboard;

/// <summary>
/// What a command dashboard shows of one region: its total and each child's line. A full snapshot, never a
/// delta, so a newer update replaces an older one and a skipped update loses nothing.
/// </summary>
/// <param name="Code">The region's code (6, 9 or 12 digits).</param>
/// <param name="Name">The region's name.</param>
/// <param name="Counts">The region's total (the sum of <paramref name="Children"/>).</param>
/// <param name="Children">Each child's counts, in code order (counties of the city, villages of a township; empty for a village).</param>
/// <param name="Version">Increases with every update of this region; 0 for a snapshot read on subscription. Clients drop older versions.</param>
/// <param name="At">Server UTC time at which the region published (or the snapshot was read), for latency measurement.</param>
[GenerateSerializer, Immutable, Alias("sanmenxia.RegionUpdate")]
public sealed record RegionUpdate(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] RegionCounts Counts,
    [property: Id(3)] IReadOnlyList<ChildCounts> Children,
    [property: Id(4)] long Version,
    [property: Id(5)] DateTimeOffset At);

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

/// <summary>An API process's registration: its stable id for this run, its observer, and since when the list has held it.</summary>
/// <param name="Since">When this registration was added to the (current activation of the) list: a notifier that reads it later sends what was published since.</param>
[GenerateSerializer, Immutable, Alias("sanmenxia.DashboardSubscriber")]
public sealed record DashboardSubscriber(
    [property: Id(0)] string ProcessId,
    [property: Id(1)] IDashboardObserver Observer,
    [property: Id(2)] DateTimeOffset Since);

/// <summary>
/// The list of API processes that want dashboard updates. Single instance, key 0. Registrations expire unless
/// renewed (each API process renews on a timer), so a crashed process drops out and a reactivated list (after
/// a silo restart) is rebuilt within one renewal period.
/// </summary>
[Alias("sanmenxia.IDashboardHubListGrain")]
public interface IDashboardHubListGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or renews a process's observer; it expires after <paramref name="validFor"/> unless renewed.</summary>
    [Alias("Register")] Task RegisterAsync(string processId, IDashboardObserver observer, TimeSpan validFor);
    /// <summary>Removes a process (on shutdown, or when a notifier found its observer gone).</summary>
    [Alias("Unregister")] Task UnregisterAsync(string processId);
    /// <summary>The live registrations, with a version that changes whenever the list does.</summary>
    [Alias("List"), AlwaysInterleave] Task<DashboardSubscriberList> GetAsync();
}

[GenerateSerializer, Immutable, Alias("sanmenxia.DashboardSubscriberList")]
public sealed record DashboardSubscriberList(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyList<DashboardSubscriber> Subscribers);

/// <summary>
/// Fans region updates out to every registered API process. One per silo, keyed by the silo's identity and
/// placed on it, so a region grain's publish is a local call; per API process it keeps only the latest update
/// of each region while a call to that process is in flight, so a slow or dead process delays nobody else and
/// memory stays bounded.
/// </summary>
[Alias("sanmenxia.IDashboardNotifierGrain")]
public interface IDashboardNotifierGrain : IGrainWithStringKey
{
    [Alias("Publish")] Task PublishAsync(RegionUpdate update);
}
