using Sanmenxia.Regions;
using Xunit;

namespace Sanmenxia.UnitTests.Regions;

public class SanmenxiaRegionsTests
{
    private static readonly IReadOnlyList<RegionInfo> Tree = SanmenxiaRegions.GenerateSyntheticTree();

    [Fact]
    public void Real_divisions_have_official_codes_and_names()
    {
        Assert.Equal("411200", SanmenxiaRegions.City.Code.Value);
        Assert.Equal("三门峡市", SanmenxiaRegions.City.Name);
        Assert.Equal(
            ["411202 湖滨区 Hubin", "411203 陕州区 Shanzhou", "411221 渑池县 Mianchi", "411224 卢氏县 Lushi", "411281 义马市 Yima", "411282 灵宝市 Lingbao"],
            SanmenxiaRegions.Counties.Select(c => $"{c.Code} {c.Name} {c.Pinyin}"));
        Assert.All(SanmenxiaRegions.Counties, c => Assert.Equal(RegionLevel.County, c.Code.Level));
    }

    [Fact]
    public void Tree_has_one_city_the_six_counties_and_the_target_number_of_villages()
    {
        var city = Assert.Single(Tree, r => r.Level == RegionLevel.City);
        Assert.Equal(SanmenxiaRegions.CityCode, city.Code);
        Assert.Null(city.ParentCode);

        Assert.Equal(
            SanmenxiaRegions.Counties.Select(c => (c.Code, c.Name)),
            Tree.Where(r => r.Level == RegionLevel.County).Select(r => (r.Code, r.Name)));

        var villages = Tree.Count(r => r.Level == RegionLevel.Village);
        Assert.Equal(SanmenxiaRegions.DefaultTargetVillages, villages);
        Assert.InRange(villages, 2_500, 3_000);
    }

    [Fact]
    public void Codes_are_unique_and_every_parent_exists_at_the_level_above()
    {
        var byCode = Tree.ToDictionary(r => r.Code);

        Assert.Equal(Tree.Count, byCode.Count);
        foreach (var region in Tree.Where(r => r.Level != RegionLevel.City))
        {
            Assert.NotNull(region.ParentCode);
            Assert.Equal(region.Code.Parent, region.ParentCode);
            var parent = byCode[region.ParentCode!.Value];
            Assert.Equal(region.Level - 1, parent.Level);
        }
    }

    [Fact]
    public void IsWithin_agrees_with_the_parent_chain()
    {
        var byCode = Tree.ToDictionary(r => r.Code);
        var counties = Tree.Where(r => r.Level == RegionLevel.County).Select(r => r.Code).ToArray();

        foreach (var region in Tree)
        {
            var chain = new HashSet<RegionCode> { region.Code };
            for (var parent = region.ParentCode; parent is { } p; parent = byCode[p].ParentCode)
            {
                chain.Add(p);
            }

            Assert.Equal(chain.Where(c => c != region.Code).ToHashSet(), region.Code.Ancestors().ToHashSet());
            Assert.All(chain, a => Assert.True(region.Code.IsWithin(a)));
            Assert.All(counties.Where(c => !chain.Contains(c)), other => Assert.False(region.Code.IsWithin(other)));
        }
    }

    [Fact]
    public void Township_and_village_codes_number_from_001_under_their_parent()
    {
        foreach (var group in Tree.Where(r => r.Level is RegionLevel.Township or RegionLevel.Village).GroupBy(r => r.ParentCode))
        {
            var suffixes = group.Select(r => int.Parse(r.Code.Value[^3..])).ToArray();
            Assert.Equal(Enumerable.Range(1, suffixes.Length), suffixes);
        }
    }

    [Fact]
    public void Names_have_plausible_suffixes_and_are_unique_among_siblings()
    {
        Assert.All(Tree.Where(r => r.Level == RegionLevel.Township),
            t => Assert.True(t.Name.EndsWith('镇') || t.Name.EndsWith('乡') || t.Name.EndsWith("街道"), t.Name));
        Assert.All(Tree.Where(r => r.Level == RegionLevel.Village),
            v => Assert.True(v.Name.EndsWith('村') || v.Name.EndsWith("社区"), v.Name));
        Assert.All(Tree, r => Assert.False(string.IsNullOrWhiteSpace(r.Pinyin)));

        foreach (var siblings in Tree.Where(r => r.ParentCode is not null).GroupBy(r => r.ParentCode))
        {
            Assert.Equal(siblings.Count(), siblings.Select(s => s.Name).Distinct().Count());
        }

        Assert.Contains(Tree, r => r.Name.EndsWith('镇'));
        Assert.Contains(Tree, r => r.Name.EndsWith('乡'));
        Assert.Contains(Tree, r => r.Name.EndsWith("街道"));
        Assert.Contains(Tree, r => r.Name.EndsWith("社区"));
    }

    [Fact]
    public void Villages_are_spread_roughly_by_population_with_Lingbao_and_Lushi_largest_and_Yima_smallest()
    {
        var villagesByCounty = SanmenxiaRegions.Counties.ToDictionary(
            c => c.Code,
            c => Tree.Count(r => r.Level == RegionLevel.Village && r.Code.IsWithin(c.Code)));

        var ranked = villagesByCounty.OrderByDescending(kv => kv.Value).Select(kv => kv.Key).ToArray();
        Assert.Equal(SanmenxiaRegions.Lingbao, ranked[0]);
        Assert.Equal(SanmenxiaRegions.Lushi, ranked[1]);
        Assert.Equal(SanmenxiaRegions.Yima, ranked[^1]);
        Assert.All(villagesByCounty.Values, count => Assert.True(count > 100));
    }

    [Fact]
    public void Village_population_is_about_a_thousand_and_sums_upward()
    {
        Assert.All(Tree.Where(r => r.Level == RegionLevel.Village), v => Assert.InRange(v.Population, 600, 1_400));

        foreach (var region in Tree.Where(r => r.Level != RegionLevel.Village))
        {
            var childSum = Tree.Where(r => r.ParentCode == region.Code).Sum(r => r.Population);
            Assert.Equal(childSum, region.Population);
        }

        var city = Tree.Single(r => r.Level == RegionLevel.City);
        Assert.InRange(city.Population, 2_500_000, 2_900_000);
    }

    [Fact]
    public void Same_seed_gives_the_same_tree_and_another_seed_gives_other_names()
    {
        var again = SanmenxiaRegions.GenerateSyntheticTree();
        var other = SanmenxiaRegions.GenerateSyntheticTree(seed: 7);

        Assert.Equal(Tree, again);
        Assert.NotEqual(
            Tree.Where(r => r.Level == RegionLevel.Village).Select(r => r.Name),
            other.Where(r => r.Level == RegionLevel.Village).Select(r => r.Name));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(100)]
    [InlineData(2_500)]
    [InlineData(3_000)]
    public void Village_count_matches_any_target(int target)
    {
        var tree = SanmenxiaRegions.GenerateSyntheticTree(seed: 1, targetVillages: target);

        Assert.Equal(target, tree.Count(r => r.Level == RegionLevel.Village));
        Assert.Equal(6, tree.Count(r => r.Level == RegionLevel.County));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20_001)]
    public void Unreasonable_targets_are_refused(int target)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SanmenxiaRegions.GenerateSyntheticTree(targetVillages: target));
    }
}
