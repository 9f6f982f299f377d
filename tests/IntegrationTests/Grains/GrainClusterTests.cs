using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.KeyPersons;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Trips;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// The grains' contracts on a TestCluster, through grain interfaces only: a village counts its residents' reports
/// (idempotent by version), counts climb village → township → county → city, key-person entries change a resident's
/// code, and a published case reaches the residents who saved the trip.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class GrainClusterTests(GrainClusterFixture fixture)
{
    private static readonly TimeSpan RollUp = TimeSpan.FromSeconds(20);
    private static int s_sequence;

    private IGrainFactory Grains => fixture.Grains;

    /// <summary>A new resident registered in the village (a fresh ID number and key each time).</summary>
    private async Task<(string Key, IResidentGrain Grain)> NewResidentAsync(RegionInfo village, string name)
    {
        var n = Interlocked.Increment(ref s_sequence);
        var key = "r" + Guid.NewGuid().ToString("N")[..26];
        var id = ResidentIdNumber.Create("411202", new DateOnly(1980, 1, 1).AddDays(n), 10 + n % 900).Value;
        var grain = Grains.GetGrain<IResidentGrain>(key);
        Assert.Equal(RegistrationOutcome.Created, await grain.RegisterAsync(
            new ResidentRegistration(id, name, null, village.Code.Value, "h-" + key, Actor.Staff("tester", "village"))));
        return (key, grain);
    }

    private ResidentSummary Summary(string key, long version, CodeColour colour) =>
        TestSummaries.ClockedInToday(key, fixture.Clock.GetUtcNow(), version, colour);

    [Fact]
    public async Task A_village_counts_each_residents_latest_report_once()
    {
        var village = Grains.GetGrain<IVillageGrain>(fixture.Villages[0].Code.Value);
        var before = await village.GetCountsAsync();
        var key = "r" + Guid.NewGuid().ToString("N")[..26];

        await village.ReportAsync(Summary(key, 1, CodeColour.Green));
        await village.ReportAsync(Summary(key, 1, CodeColour.Green)); // a retried report
        var once = await village.GetCountsAsync();
        await village.ReportAsync(Summary(key, 3, CodeColour.Yellow));
        await village.ReportAsync(Summary(key, 2, CodeColour.Red)); // older, arriving late
        var after = await village.GetCountsAsync();

        Assert.Equal((before.Residents + 1, before.Applied + 1, before.Green + 1), (once.Residents, once.Applied, once.Green));
        Assert.Equal((before.Residents + 1, before.Green, before.Yellow + 1, before.Red), (after.Residents, after.Green, after.Yellow, after.Red));
        Assert.True(await village.HasResidentAsync(key));
    }

    [Fact]
    public async Task Counts_climb_from_the_village_to_the_township_the_county_and_the_city()
    {
        var villageInfo = fixture.Villages[1];
        var township = villageInfo.ParentCode!.Value;
        var county = township.Parent!.Value;
        var village = Grains.GetGrain<IVillageGrain>(villageInfo.Code.Value);

        var (_, resident) = await NewResidentAsync(villageInfo, "王上报");
        Assert.True((await resident.ApplyAsync(36.5m, true, Actor.Staff("tester", "village"))).Accepted);
        var villageCounts = await Eventually.Until(() => village.GetCountsAsync(), c => c.Applied >= 1, RollUp, "the village to count the applicant");

        // Each level lists the level below with at least what that level counted, and settles on the sum of its children.
        var (child, expected) = (villageInfo.Code.Value, villageCounts.Applied);
        foreach (var region in new[] { township, county, SanmenxiaRegions.CityCode })
        {
            var grain = Grains.GetGrain<IRegionGrain>(region.Value);
            var counts = await Eventually.Assert(async () =>
            {
                var line = Assert.Single(await grain.GetChildrenAsync(), c => c.Code == child);
                Assert.True(line.Counts.Applied >= expected, $"{region} lists {child} with {line.Counts.Applied} applied, below {expected}");
                var total = await grain.GetCountsAsync();
                var children = await grain.GetChildrenAsync();
                Assert.Equal(children.Sum(c => c.Counts.Applied), total.Applied);
                Assert.Equal(children.Sum(c => c.Counts.Residents), total.Residents);
                return total;
            }, RollUp, $"{region} to count {child} and sum its children");
            (child, expected) = (region.Value, counts.Applied);
        }
    }

    [Fact]
    public async Task A_missed_day_turns_the_code_yellow_at_the_Sanmenxia_midnight_and_the_village_lists_it_so()
    {
        var villageInfo = fixture.Villages[4];
        var (key, resident) = await NewResidentAsync(villageInfo, "孙漏打");
        Assert.True((await resident.ApplyAsync(36.5m, true, Actor.Self(key))).Accepted);
        var village = Grains.GetGrain<IVillageGrain>(villageInfo.Code.Value);
        var green = await village.ListResidentsAsync(new VillageResidentFilter(Colour: CodeColour.Green), 0, 500);
        Assert.Contains(green.Items, r => r.ResidentKey == key);

        // The day of the application counts as clocked in; the next day passes without a clock-in.
        var applied = (await resident.GetCodeAsync()).Today;
        var lastMomentOfNextDay = new DateTimeOffset(applied.AddDays(2).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).AddTicks(-1);
        fixture.Clock.SetUtcNow(lastMomentOfNextDay);
        Assert.Equal(CodeColour.Green, (await resident.GetCodeAsync()).Explanation.Colour);

        fixture.Clock.Advance(TimeSpan.FromTicks(1)); // midnight in Asia/Shanghai

        var code = await resident.GetCodeAsync();
        Assert.Equal(CodeColour.Yellow, code.Explanation.Colour);
        Assert.Equal(applied.AddDays(2), code.Today);
        var yellow = await village.ListResidentsAsync(new VillageResidentFilter(Colour: CodeColour.Yellow), 0, 500);
        Assert.Contains(yellow.Items, r => r.ResidentKey == key);
    }

    [Fact]
    public async Task A_key_person_entry_turns_the_code_red_and_its_dismissal_restores_it()
    {
        var villageInfo = fixture.Villages[2];
        var (key, resident) = await NewResidentAsync(villageInfo, "李密接");
        Assert.True((await resident.ApplyAsync(36.5m, true, Actor.Self(key))).Accepted);
        Assert.Equal(CodeColour.Green, (await resident.GetCodeAsync()).Explanation.Colour);
        var today = (await resident.GetCodeAsync()).Today;
        var staff = Actor.Staff("tester", "village");

        var added = await resident.AddKeyPersonEntryAsync(new NewKeyPersonEntry(KeyPersonCategory.CloseContact, today.AddDays(-1), "case-1",
            ControlMeasure.CentralIsolation, "site-1", null, "test", Pending: false), staff);

        Assert.True(added.Accepted, added.Refusal);
        var blocked = await resident.GetCodeAsync();
        Assert.Equal(CodeColour.Red, blocked.Explanation.Colour);
        Assert.StartsWith("blocked.", blocked.Explanation.ReasonCode);
        var village = Grains.GetGrain<IVillageGrain>(villageInfo.Code.Value);
        await Eventually.Assert(async () => Assert.Contains(await village.GetKeyPersonResidentsAsync(), s => s.ResidentKey == key),
            RollUp, "the village to list the close contact");

        var released = await resident.ReleaseEarlyAsync(added.Entry!.Id, "tested negative twice", staff);

        Assert.True(released.Accepted, released.Refusal);
        Assert.Equal(CodeColour.Green, (await resident.GetCodeAsync()).Explanation.Colour);
    }

    [Fact]
    public async Task A_case_published_on_a_saved_trip_notifies_the_traveller_with_a_pending_close_contact_entry()
    {
        var villageInfo = fixture.Villages[3];
        var (key, resident) = await NewResidentAsync(villageInfo, "赵同行");
        var today = (await resident.GetCodeAsync()).Today;
        var trip = new TripId(TravelMode.Train, "G" + (1000 + Interlocked.Increment(ref s_sequence)), today.AddDays(-2));
        var (_, before) = await resident.SaveTripAsync(trip, new SeatInfo(5, 10, "10A"));
        Assert.Empty(before);

        await Grains.GetGrain<ITripGrain>(trip.Key).PublishCaseAsync(trip, new PublishedCase("case-7", new SeatInfo(5, 12, null), "郑州", "三门峡",
            "卫健委通报", fixture.Clock.GetUtcNow(), "commander"));

        var (_, matches) = await Eventually.Until(() => resident.GetTripsAsync(), t => t.Matches.Count > 0, RollUp, "the traveller to learn of the case");
        var match = Assert.Single(matches);
        Assert.Equal(("case-7", TripRisk.NearbySeats), (match.CaseId, match.Risk));
        var entry = Assert.Single(await resident.GetKeyPersonEntriesAsync());
        Assert.Equal((KeyPersonCategory.CloseContact, KeyPersonStatus.Pending), (entry.Category, entry.Status));

        // A traveller who saves the trip after the publication learns of it at once.
        var (_, late) = await NewResidentAsync(villageInfo, "钱后存");
        var (_, lateMatches) = await late.SaveTripAsync(trip, new SeatInfo(9, 1, null));
        Assert.Equal(TripRisk.SameTrip, Assert.Single(lateMatches).Risk);
    }
}
