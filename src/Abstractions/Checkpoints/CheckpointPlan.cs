using Sanmenxia.Regions;

namespace Sanmenxia.Checkpoints;

/// <summary>One checkpoint to create.</summary>
public sealed record PlannedCheckpoint(string Id, string Name, RegionCode Region);

/// <summary>
/// A deterministic set of checkpoints over a region tree, in the proportions of the real system (4,136 checkpoints at
/// city, county, township and village level for ~2,700 villages): 4 at city level (stations), 6 per county (highway
/// exits, bus stations), 2 per township, 1 per village; the rest of the target goes to the most populous villages
/// (second and further entrances). Ids are "cp-{region code}-{NNNN}". The same tree always gives the same checkpoints.
/// </summary>
public static class CheckpointPlan
{
    public const int RealCheckpoints = 4136;
    public const int RealVillages = 2700;

    /// <summary>Scaled to the tree: 4,136 for 2,700 villages.</summary>
    public static int DefaultTarget(int villages) => (int)Math.Round(villages * (double)RealCheckpoints / RealVillages, MidpointRounding.AwayFromZero);

    public static IReadOnlyList<PlannedCheckpoint> Generate(IReadOnlyList<RegionInfo> regions, int? target = null)
    {
        var ordered = regions.OrderBy(r => r.Code).ToList();
        var villages = ordered.Where(r => r.Level == RegionLevel.Village).ToList();
        var perRegion = new Dictionary<RegionCode, int>();
        foreach (var r in ordered)
            perRegion[r.Code] = r.Level switch { RegionLevel.City => 4, RegionLevel.County => 6, RegionLevel.Township => 2, _ => 1 };

        var wanted = target ?? DefaultTarget(villages.Count);
        var extra = wanted - perRegion.Values.Sum();
        if (extra > 0 && villages.Count > 0)
        {
            var byPopulation = villages.OrderByDescending(v => v.Population).ThenBy(v => v.Code).ToList();
            for (var i = 0; i < extra; i++) perRegion[byPopulation[i % byPopulation.Count].Code]++;
        }

        var result = new List<PlannedCheckpoint>(perRegion.Values.Sum());
        foreach (var r in ordered)
            for (var n = 1; n <= perRegion[r.Code]; n++)
                result.Add(new PlannedCheckpoint($"cp-{r.Code.Value}-{n:D4}", Name(r, n), r.Code));
        return result;
    }

    private static string Name(RegionInfo r, int n) => r.Level switch
    {
        RegionLevel.City => n switch { 1 => $"{r.Name}火车站检测点", 2 => $"{r.Name}高铁南站检测点", 3 => $"{r.Name}汽车总站检测点", 4 => $"{r.Name}黄河大桥检测点", _ => $"{r.Name}检测点{n}" },
        RegionLevel.County => n <= 2 ? $"{r.Name}高速出口检测站{n}" : n <= 4 ? $"{r.Name}国道检测站{n - 2}" : $"{r.Name}汽车站检测点{n - 4}",
        RegionLevel.Township => $"{r.Name}检测站{n}",
        _ => n == 1 ? $"{r.Name}村口检测点" : $"{r.Name}第{n}检测点",
    };
}
