using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;
using Sanmenxia.Trips;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>
/// Residents on a real PostgreSQL-backed cluster: state and reminders survive a full cluster restart, and the village's
/// day-roll reminder registered before the restart fires afterwards and closes the resident's missed days in the stored
/// state, with nobody calling the resident (docs/reminders.md), while a resident with nothing due is not touched.
/// Simulated time runs 28,800× (a day in 3 s) so real reminders tick within the test.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ResidentRestartTests(PostgresFixture postgres)
{
    private static readonly TripId Trip = new(TravelMode.Train, "K1234", new DateOnly(2020, 1, 31));
    private static readonly RegionInfo Village = SanmenxiaRegions.GenerateSyntheticTree(2020, 12).First(r => r.Level == RegionLevel.Village);

    [Fact]
    public async Task State_and_reminders_survive_a_cluster_restart_and_the_deadline_fires_after_it()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("restart");
        var clusterId = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var simulation = new Dictionary<string, string?>
        {
            ["Simulation:Enabled"] = "true",
            ["Simulation:Speed"] = "28800",
            // Start the simulated day at 08:00 now, so the first deadline is 16 simulated hours (2 s) away.
            ["Simulation:AnchorRealTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["Simulation:AnchorSimulatedTime"] = "2020-02-01T08:00:00+08:00",
            ["Deadlines:SpreadAfterMidnight"] = "00:01:00",
        };
        var residentKey = "r" + Guid.NewGuid().ToString("N")[..26];
        var idleKey = "r" + Guid.NewGuid().ToString("N")[..26];

        await using (var first = await SanmenxiaHost.StartAsync(connectionString, clusterId, simulation))
        {
            await first.Grains.GetGrain<IVillageGrain>(Village.Code.Value).DefineAsync(Village);
            var resident = first.Grains.GetGrain<IResidentGrain>(residentKey);
            var id = Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1975, 3, 9), 321).Value;
            Assert.Equal(RegistrationOutcome.Created, await resident.RegisterAsync(
                new ResidentRegistration(id, "陈重启", "13700001111", Village.Code.Value, "h-restart", Actor.Staff("test", "admin"))));
            var applied = await resident.ApplyAsync(36.5m, true, Actor.Self(residentKey));
            Assert.True(applied.Accepted);
            Assert.Equal(CodeColour.Green, applied.Code.Explanation.Colour);
            // A register entry and a watched trip, to see them survive the restart too.
            var entry = await resident.AddKeyPersonEntryAsync(new NewKeyPersonEntry(KeyPersonCategory.FromOutsideCity, new DateOnly(2020, 1, 30),
                "郑州", ControlMeasure.None, null, "arrived by coach", "village staff", Pending: false), Actor.Staff("staff", "village"));
            Assert.True(entry.Accepted);
            await resident.SaveTripAsync(Trip, new SeatInfo(2, 7, null));
            // Registered, never applied: nothing changes at any midnight, so the day close never wakes it.
            var idleId = Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1980, 5, 2), 123).Value;
            Assert.Equal(RegistrationOutcome.Created, await first.Grains.GetGrain<IResidentGrain>(idleKey).RegisterAsync(
                new ResidentRegistration(idleId, "周未申", null, Village.Code.Value, "h-restart", Actor.Staff("test", "admin"))));
        } // the whole cluster stops
        var idleVersion = await PgTestSql.ScalarAsync<int>(connectionString, PgTestSql.ResidentStateVersion(idleKey));

        await using var second = await SanmenxiaHost.StartAsync(connectionString, clusterId, simulation);
        // Without anybody calling the resident, the village's day roll (its reminder registered before the restart) must
        // wake it to close the missed days and store them: the summary the resident then reports carries a stored yellow
        // (the village's key-person list hands out the summaries as reported, without projecting them).
        var village = second.Grains.GetGrain<IVillageGrain>(Village.Code.Value);
        var stored = await Eventually.Until(async () => (await village.GetKeyPersonResidentsAsync()).Single(s => s.ResidentKey == residentKey),
            s => s.Code.BaseColour is CodeColour.Yellow or CodeColour.Red, TimeSpan.FromSeconds(45),
            "the village's day close to store the resident's missed days after the restart", TimeSpan.FromMilliseconds(200));
        Assert.True(stored.Code.ClosedThrough >= stored.Code.AppliedOn!.Value.AddDays(1));
        // The village holds the next day the resident is due for something else: not before the watched trip ends.
        Assert.InRange(stored.CloseDueOn, Trip.Date.AddDays(14 + 1), ResidentDayClose.Never.AddDays(-1));
        // The resident with nothing due was not woken: its stored state is the one written before the restart.
        Assert.Equal(idleVersion, await PgTestSql.ScalarAsync<int>(connectionString, PgTestSql.ResidentStateVersion(idleKey)));

        var again = second.Grains.GetGrain<IResidentGrain>(residentKey);
        var profile = await again.GetProfileAsync();
        Assert.NotNull(profile);
        Assert.Equal("陈重启", profile.Name);
        var code = await again.GetCodeAsync();
        var missed = code.History.Where(h => h.Change.Cause == ChangeCause.MissedClockIn).ToList();
        Assert.NotEmpty(missed);
        Assert.All(missed, m => Assert.Equal(ActorKind.System, m.By));
        // The change is dated at a simulated Asia/Shanghai midnight, not at the moment the reminder ran.
        Assert.Equal(TimeSpan.Zero, missed[0].Change.At.ToOffset(TimeSpan.FromHours(8)).TimeOfDay);

        // The register entry and the watched trip survived; a case published after the restart matches at once,
        // with a pending close-contact entry for village staff.
        Assert.Contains(await again.GetKeyPersonEntriesAsync(), e => e.Category == KeyPersonCategory.FromOutsideCity && e.Origin == "郑州");
        await second.Grains.GetGrain<ITripGrain>(Trip.Key).PublishCaseAsync(Trip,
            new PublishedCase("c-restart", new SeatInfo(2, 9, null), "武汉", "三门峡南", "test bulletin", DateTimeOffset.UtcNow, "test"));
        var (_, matches) = await again.GetTripsAsync();
        Assert.Equal(TripRisk.NearbySeats, Assert.Single(matches).Risk);
        Assert.Contains(await again.GetKeyPersonEntriesAsync(), e => e is { Category: KeyPersonCategory.CloseContact, Status: KeyPersonStatus.Pending });

        // The village's saved summaries were reloaded, and its counts follow the resident.
        var counts = await second.Grains.GetGrain<IVillageGrain>(Village.Code.Value).GetCountsAsync();
        Assert.Equal(2, counts.Residents);
        Assert.Equal(1, counts.Yellow + counts.Red);
    }
}
