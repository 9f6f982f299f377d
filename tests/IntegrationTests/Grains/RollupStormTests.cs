using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.TestingHost;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// The restart storm of the roll-up tree (docs/dashboard.md, "Recovery"): a region that activates asks its children for
/// their counts a few at a time (Deadlines:RollupPullsInFlight, 2 in this fixture), answers at once with what it has, asks
/// a child again whose pull failed, and ends with every child counted; villages that activate together read their rows a
/// few at a time per silo (Deadlines:VillageLoadsInFlightPerSilo, 2 here). The bounds are seen through test hooks that
/// hold the pulls and the reads (<see cref="ChildPullFaults"/>, <see cref="GatedVillageRoster"/>), never through timing.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class RollupStormTests(GrainClusterFixture fixture) : IDisposable
{
    private const int PullBound = 2;
    private const int LoadBound = 2;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_region_activating_asks_at_most_the_bound_of_its_children_at_once_answers_meanwhile_and_counts_every_child()
    {
        var (region, children) = RegionWithMostChildren();
        Assert.True(children.Count > PullBound, $"region {region.Code} has {children.Count} children, not more than the bound");
        var grain = await SettledAsync(region);
        var expected = await ChildCountsAsync(children);

        fixture.PullFaults.Watch(region.Code.Value, hold: true);
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        // The new activation answers while every pull it made is held: its activation does not wait for its children.
        await grain.GetCountsAsync().WaitAsync(Limit);

        // The first pulls start with the activation: exactly the bound of them, the other children waiting their turn.
        await Eventually.Until(() => Task.FromResult(fixture.PullFaults.Snapshot()), s => s.Held == PullBound, Limit,
            $"{PullBound} pulls of region {region.Code} to be held");
        // Let them go one at a time until every child is counted (a child that reports on its own meanwhile is not asked).
        while ((await grain.GetChildrenAsync()).Count < children.Count)
        {
            Assert.InRange(fixture.PullFaults.Snapshot().InFlight, 0, PullBound);
            fixture.PullFaults.ReleaseOne();
            await Task.Delay(Eventually.DefaultInterval); // pacing only: the loop ends on the region's state, not on time
        }

        await AssertEveryChildCountedAsync(grain, expected);
        Assert.Equal(PullBound, fixture.PullFaults.Snapshot().MaxInFlight);
    }

    [Fact]
    public async Task A_region_whose_pulls_of_some_children_fail_answers_and_asks_them_again_until_every_child_is_counted()
    {
        var (region, children) = RegionWithMostChildren();
        var grain = await SettledAsync(region);
        var expected = await ChildCountsAsync(children);
        var failing = children.Take(2).Select(c => c.Code.Value).ToList();

        // The first three pulls of two children fail (as a pull times out while a restarted silo is busy).
        fixture.PullFaults.Watch(region.Code.Value, failFirst: failing.ToDictionary(c => c, _ => 3));
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        // The activation does not fail with its pulls (it used to, and every caller got the error).
        await grain.GetCountsAsync().WaitAsync(Limit);

        await AssertEveryChildCountedAsync(grain, expected);
        var (answered, failed) = fixture.PullFaults.Outcome();
        foreach (var child in failing)
        {
            Assert.Equal(3, failed.GetValueOrDefault(child));
            Assert.Contains(child, answered); // asked again after its failures, not forgotten
        }
    }

    [Fact]
    public async Task Villages_activating_together_read_their_rows_at_most_the_silo_bound_at_once()
    {
        var villages = fixture.Villages.Take(LoadBound + 3).ToList();
        var expected = await ChildCountsAsync(villages);
        foreach (var village in villages)
            await Grains.GetGrain<IVillageGrain>(village.Code.Value).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var throttle = ((InProcessSiloHandle)fixture.Cluster.GetActiveSilos().First()).ServiceProvider.GetRequiredService<VillageLoadThrottle>();

        // Every village activates at once; their reads are held.
        fixture.Roster.Close();
        var calls = villages.Select(v => Grains.GetGrain<IVillageGrain>(v.Code.Value).GetCountsAsync()).ToList();
        await Eventually.Until(() => Task.FromResult((fixture.Roster.Snapshot().Loading, throttle.Waiting)),
            s => s.Loading == LoadBound && s.Waiting == villages.Count - LoadBound, Limit,
            $"{LoadBound} villages reading and {villages.Count - LoadBound} waiting their turn");
        Assert.Equal(LoadBound, fixture.Roster.Snapshot().MaxLoading);

        fixture.Roster.Open();
        var counts = await Task.WhenAll(calls).WaitAsync(Limit);
        for (var i = 0; i < villages.Count; i++) Assert.Equal(expected[villages[i].Code.Value].Residents, counts[i].Residents);
        Assert.Equal(LoadBound, fixture.Roster.Snapshot().MaxLoading);
    }

    /// <summary>The non-village region with the most children (the fixture's tree is small), and those children.</summary>
    private (RegionInfo Region, IReadOnlyList<RegionInfo> Children) RegionWithMostChildren()
    {
        var region = fixture.Tree.Where(r => r.Level != RegionLevel.Village)
            .OrderByDescending(r => fixture.Tree.Count(c => c.ParentCode == r.Code)).ThenBy(r => r.Code).First();
        return (region, fixture.Tree.Where(c => c.ParentCode == region.Code).OrderBy(c => c.Code).ToList());
    }

    /// <summary>The region's grain once every village below it is counted there (the fixture's pushes may still be climbing).</summary>
    private async Task<IRegionGrain> SettledAsync(RegionInfo region)
    {
        var parents = fixture.Tree.ToDictionary(r => r.Code, r => r.ParentCode);
        bool Under(RegionCode code) => parents.GetValueOrDefault(code) is { } parent && (parent == region.Code || Under(parent));
        var villages = fixture.Villages.Count(v => Under(v.Code));
        var grain = Grains.GetGrain<IRegionGrain>(region.Code.Value);
        await Eventually.Until(() => grain.GetCountsAsync(), c => c.Villages == villages, Limit, $"region {region.Code} to count its {villages} villages");
        return grain;
    }

    /// <summary>Each child's own counts, asked of the child itself (not through the region under test).</summary>
    private async Task<Dictionary<string, RegionCounts>> ChildCountsAsync(IReadOnlyList<RegionInfo> children)
    {
        var counts = new Dictionary<string, RegionCounts>(StringComparer.Ordinal);
        foreach (var child in children)
            counts[child.Code.Value] = child.Level == RegionLevel.Village
                ? await Grains.GetGrain<IVillageGrain>(child.Code.Value).GetCountsAsync()
                : await Grains.GetGrain<IRegionGrain>(child.Code.Value).GetCountsAsync();
        return counts;
    }

    private static async Task AssertEveryChildCountedAsync(IRegionGrain grain, IReadOnlyDictionary<string, RegionCounts> expected)
    {
        var lines = await Eventually.Until(() => grain.GetChildrenAsync(), l => l.Count == expected.Count, Limit, "every child's line");
        foreach (var line in lines)
        {
            var want = expected[line.Code];
            Assert.Equal((want.Residents, want.Applied, want.Villages), (line.Counts.Residents, line.Counts.Applied, line.Counts.Villages));
        }
        Assert.Equal(expected.Values.Sum(c => c.Residents), (await grain.GetCountsAsync()).Residents);
    }

    public void Dispose()
    {
        fixture.PullFaults.Recover();
        fixture.Roster.Open();
    }
}
