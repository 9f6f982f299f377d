using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>
/// A village's day-roll reminder drives its residents' day close (docs/reminders.md §0), so it must tick on the
/// system's days: registered at one simulation speed, it is registered again when the cluster comes back at another.
/// Before, a village kept the first registration, and the city's villages, registered in real time, went on rolling on
/// real days after the switch to 50x.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class VillageDayRollTests(PostgresFixture postgres)
{
    private static readonly RegionInfo Village = SanmenxiaRegions.GenerateSyntheticTree(2020, 12).First(r => r.Level == RegionLevel.Village);

    private static Dictionary<string, string?> Simulation(int speed) => new()
    {
        ["Simulation:Enabled"] = "true",
        ["Simulation:Speed"] = speed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Simulation:AnchorRealTime"] = DateTimeOffset.UtcNow.ToString("O"),
        ["Simulation:AnchorSimulatedTime"] = "2020-02-01T08:00:00+08:00",
        ["Deadlines:SpreadAfterMidnight"] = "00:01:00",
    };

    [Fact]
    public async Task A_village_registers_its_day_roll_again_when_the_cluster_comes_back_at_another_simulation_speed()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("dayroll_speed");
        var clusterId = "dayroll-" + Guid.NewGuid().ToString("N")[..8];

        await using (var first = await SanmenxiaHost.StartAsync(connectionString, clusterId, Simulation(28_800)))
        {
            await first.Grains.GetGrain<IVillageGrain>(Village.Code.Value).DefineAsync(Village);
            Assert.Equal(86_400_000L / 28_800, await DayRollPeriodMsAsync(connectionString));
        }

        // Half the speed: a simulated day lasts twice as long in real time. The old reminder's next tick (within 3 s)
        // activates the village, which must register the reminder again with the new period.
        await using var second = await SanmenxiaHost.StartAsync(connectionString, clusterId, Simulation(14_400));
        await Eventually.Until(() => DayRollPeriodMsAsync(connectionString), period => period == 86_400_000L / 14_400,
            TimeSpan.FromSeconds(45), "the village to register its day-roll reminder at the new speed", TimeSpan.FromMilliseconds(200));
        Assert.Equal(1L, await PgTestSql.ScalarAsync<long>(connectionString, $"select count(*) from orleans_reminder where reminder_name = 'day-roll' and grain_id = 'village/{Village.Code.Value}'"));
    }

    [Fact]
    public async Task A_village_that_missed_its_day_roll_closes_the_missed_day_when_it_is_next_activated()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("dayroll_missed");
        var clusterId = "missed-" + Guid.NewGuid().ToString("N")[..8];
        var residentKey = "r" + Guid.NewGuid().ToString("N")[..26];
        // Real speed: the next day-roll tick is hours away, so only the catch-up can close the days in this test.
        Dictionary<string, string?> Clock(string simulatedNow) => new()
        {
            ["Simulation:Enabled"] = "true",
            ["Simulation:Speed"] = "1",
            ["Simulation:AnchorRealTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["Simulation:AnchorSimulatedTime"] = simulatedNow,
        };

        await using (var first = await SanmenxiaHost.StartAsync(connectionString, clusterId, Clock("2020-02-01T10:00:00+08:00")))
        {
            await first.Grains.GetGrain<IVillageGrain>(Village.Code.Value).DefineAsync(Village);
            var resident = first.Grains.GetGrain<Sanmenxia.Residents.IResidentGrain>(residentKey);
            var id = Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1976, 4, 9), 321).Value;
            Assert.Equal(Sanmenxia.Residents.RegistrationOutcome.Created, await resident.RegisterAsync(new Sanmenxia.Residents.ResidentRegistration(
                id, "王补日", null, Village.Code.Value, "h-missed", Sanmenxia.Residents.Actor.Staff("test", "admin"))));
            Assert.True((await resident.ApplyAsync(36.5m, true, Sanmenxia.Residents.Actor.Self(residentKey))).Accepted);
        }
        var appliedVersion = await PgTestSql.ScalarAsync<int>(connectionString, PgTestSql.ResidentStateVersion(residentKey));

        // The cluster was down over two midnights: no tick fell. The village, activated by a read, closes the missed day:
        // the resident (applied on the 1st, no clock-in on the 2nd) is woken and stores its yellow, with nobody calling it.
        await using var second = await SanmenxiaHost.StartAsync(connectionString, clusterId, Clock("2020-02-03T10:00:00+08:00"));
        await second.Grains.GetGrain<IVillageGrain>(Village.Code.Value).GetCountsAsync();
        await Eventually.Until(() => PgTestSql.ScalarAsync<int>(connectionString, PgTestSql.ResidentStateVersion(residentKey)),
            version => version > appliedVersion, TimeSpan.FromSeconds(30), "the village to close the missed day of its resident", TimeSpan.FromMilliseconds(200));
        var stored = await Eventually.Until(async () => (await second.Grains.GetGrain<IVillageGrain>(Village.Code.Value).ListResidentsAsync(new VillageResidentFilter(), 0, 10)).Items,
            items => items.Count == 1, TimeSpan.FromSeconds(10), "the village's list");
        Assert.Equal(Sanmenxia.HealthCode.CodeColour.Yellow, stored[0].Colour);
    }

    private static Task<long> DayRollPeriodMsAsync(string connectionString) =>
        PgTestSql.ScalarAsync<long>(connectionString, $"select coalesce(max(period_ms), 0)::bigint from orleans_reminder where reminder_name = 'day-roll' and grain_id = 'village/{Village.Code.Value}'");
}
