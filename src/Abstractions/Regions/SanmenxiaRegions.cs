namespace Sanmenxia.Regions;

// The real top of Sanmenxia's tree (GB/T 2260) and a synthetic, deterministic tree below it, because real
// township and village lists are not shipped.
public static class SanmenxiaRegions
{
    public static readonly RegionCode CityCode = RegionCode.Parse("411200");
    public static readonly RegionCode Hubin = RegionCode.Parse("411202");
    public static readonly RegionCode Shanzhou = RegionCode.Parse("411203");
    public static readonly RegionCode Mianchi = RegionCode.Parse("411221");
    public static readonly RegionCode Lushi = RegionCode.Parse("411224");
    public static readonly RegionCode Yima = RegionCode.Parse("411281");
    public static readonly RegionCode Lingbao = RegionCode.Parse("411282");

    public static NamedRegion City { get; } = new(CityCode, "三门峡市", "Sanmenxia");

    public static IReadOnlyList<NamedRegion> Counties { get; } =
    [
        new(Hubin, "湖滨区", "Hubin"),
        new(Shanzhou, "陕州区", "Shanzhou"),
        new(Mianchi, "渑池县", "Mianchi"),
        new(Lushi, "卢氏县", "Lushi"),
        new(Yima, "义马市", "Yima"),
        new(Lingbao, "灵宝市", "Lingbao"),
    ];

    public const int DefaultSeed = 2020;
    public const int DefaultTargetVillages = 2700;

    // Returns the city, the 6 counties, then each county's townships and villages, parents before
    // children. The same seed always gives the same codes, names and populations (own PRNG, not
    // System.Random, so a runtime upgrade cannot rename villages already stored).
    public static IReadOnlyList<RegionInfo> GenerateSyntheticTree(int seed = DefaultSeed, int targetVillages = DefaultTargetVillages) =>
        SyntheticRegionTree.Generate(seed, targetVillages);
}
