namespace Sanmenxia.Villages;

/// <summary>A child region's line in its parent's table.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.ChildCounts")]
public sealed record ChildCounts(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] RegionCounts Counts);
