using Orleans.Core.Internal;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// A roll-up node whose activation ends while its push to the parent is failing (docs/dashboard.md, "Recovery"): when a
/// silo dies, Orleans deactivates the activations on the surviving silos whose directory entries the dead silo held, and
/// those include nodes that are retrying a push to a parent that lived on the dead silo. Their counts exist nowhere else,
/// and nothing else calls them, so a new activation must take over: it pulls the inputs again and pushes them.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class RollupHandoverTests(GrainClusterFixture fixture) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_township_deactivated_while_its_push_fails_is_taken_over_by_a_new_activation_that_pushes_its_counts()
    {
        var villageInfo = fixture.Villages[^1];
        var townshipCode = villageInfo.ParentCode!.Value;
        var township = Grains.GetGrain<IRegionGrain>(townshipCode.Value);
        var county = Grains.GetGrain<IRegionGrain>(townshipCode.Parent!.Value.Value);
        var countyBefore = await county.GetCountsAsync();
        var townshipBefore = await township.GetCountsAsync();

        // The township's parent becomes unreachable; a resident reported to the village changes the township's total.
        fixture.ParentFaults.Fail(townshipCode.Value);
        await Grains.GetGrain<IVillageGrain>(villageInfo.Code.Value).ReportAsync(Summary("r" + Guid.NewGuid().ToString("N")[..26]));
        var refused = await Eventually.Until(() => Task.FromResult(fixture.ParentFaults.RefusedReports()),
            r => r.Any(x => x.Counts.Residents == townshipBefore.Residents + 1), Limit, "the township's push of the new total to fail");
        var first = refused.First(x => x.Counts.Residents == townshipBefore.Residents + 1).Activation;
        Assert.Equal(countyBefore.Residents, (await county.GetCountsAsync()).Residents); // held back: only the township has it

        // Its activation ends with the total unsent (as after a silo death). Nobody calls the township from here on:
        // only a takeover can bring the total up.
        await township.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.Until(() => Task.FromResult(fixture.ParentFaults.RefusedReports()),
            r => r.Any(x => x.Activation != first && x.Counts.Residents == townshipBefore.Residents + 1), Limit,
            "a new activation of the township to push the total");

        // The parent is reachable again: the new activation's retry delivers the total.
        fixture.ParentFaults.Recover();
        await Eventually.Until(() => county.GetCountsAsync(), c => c.Residents == countyBefore.Residents + 1, Limit, "the county to count the resident");
    }

    [Fact]
    public async Task A_village_deactivated_while_its_push_fails_is_taken_over_by_a_new_activation_that_pushes_its_counts()
    {
        // A village under another township than the test above uses, so neither test's outcome shows in the other's totals.
        var villageInfo = fixture.Villages.Last(v => v.ParentCode != fixture.Villages[^1].ParentCode);
        var village = Grains.GetGrain<IVillageGrain>(villageInfo.Code.Value);
        var township = Grains.GetGrain<IRegionGrain>(villageInfo.ParentCode!.Value.Value);
        var townshipBefore = await township.GetCountsAsync();
        var villageBefore = await village.GetCountsAsync();

        fixture.ParentFaults.Fail(villageInfo.Code.Value);
        await village.ReportAsync(Summary("r" + Guid.NewGuid().ToString("N")[..26]));
        var refused = await Eventually.Until(() => Task.FromResult(fixture.ParentFaults.RefusedReports()),
            r => r.Any(x => x.Counts.Residents == villageBefore.Residents + 1), Limit, "the village's push of its new counts to fail");
        var first = refused.First(x => x.Counts.Residents == villageBefore.Residents + 1).Activation;
        Assert.Equal(townshipBefore.Residents, (await township.GetCountsAsync()).Residents);

        await village.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.Until(() => Task.FromResult(fixture.ParentFaults.RefusedReports()),
            r => r.Any(x => x.Activation != first && x.Counts.Residents == villageBefore.Residents + 1), Limit,
            "a new activation of the village to push its counts");

        fixture.ParentFaults.Recover();
        await Eventually.Until(() => township.GetCountsAsync(), c => c.Residents == townshipBefore.Residents + 1, Limit, "the township to count the resident");
    }

    [Fact]
    public async Task A_resident_deactivated_with_a_report_its_village_refused_re_sends_it_from_a_new_activation_within_seconds()
    {
        // A third township's village, so no other test's outcome shows in its counts.
        var villageInfo = fixture.Villages.First(v => v.ParentCode != fixture.Villages[^1].ParentCode
            && v.ParentCode != fixture.Villages.Last(x => x.ParentCode != fixture.Villages[^1].ParentCode).ParentCode);
        var village = Grains.GetGrain<IVillageGrain>(villageInfo.Code.Value);
        var key = "r" + Guid.NewGuid().ToString("N")[..26];
        var resident = Grains.GetGrain<IResidentGrain>(key);
        var id = Identity.ResidentIdNumber.Create("411202", new DateOnly(1985, 3, 4), 700 + Random.Shared.Next(200)).Value;
        await resident.RegisterAsync(new ResidentRegistration(id, "接管", null, villageInfo.Code.Value, "h-" + key, Actor.Staff("tester", "village")));
        var before = await Eventually.Until(() => village.GetCountsAsync(), _ => true, Limit, "the village's counts");

        // The village refuses the application's report: it stays pending in the resident's stored state.
        fixture.VillageFaults.Set(VillageFaults.Mode.Throw);
        Assert.True((await resident.ApplyAsync(36.5m, true, Actor.Staff("tester", "village"))).Accepted);
        // The activation ends (as after a silo death) and the village recovers. The outbox reminder would re-send the
        // report only after its period (a minute); a new activation does within seconds.
        await resident.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        fixture.VillageFaults.Recover();
        await Eventually.Until(() => village.GetCountsAsync(), c => c.Applied == before.Applied + 1, TimeSpan.FromSeconds(20), "the village to count the application");
    }

    private ResidentSummary Summary(string key) => TestSummaries.ClockedInToday(key, fixture.Clock.GetUtcNow());

    public void Dispose()
    {
        fixture.ParentFaults.Recover();
        fixture.VillageFaults.Recover();
    }
}
