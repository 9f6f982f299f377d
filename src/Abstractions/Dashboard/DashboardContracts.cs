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

/// <summary>An API process's registration: its stable id for this run, its observer, and since when the list has held it.</summary>
/// <param name="Since">When this registration was added to the (current activation of the) list: a notifier that reads it later sends what was published since.</param>
[GenerateSerializer, Immutable, Alias("sanmenxia.DashboardSubscriber")]
public sealed record DashboardSubscriber(
    [property: Id(0)] string ProcessId,
    [property: Id(1)] IDashboardObserver Observer,
    [property: Id(2)] DateTimeOffset Since);

[GenerateSerializer, Immutable, Alias("sanmenxia.DashboardSubscriberList")]
public sealed record DashboardSubscriberList(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyList<DashboardSubscriber> Subscribers);
