using Npgsql;
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
        Assert.Equal(1L, await ScalarAsync(connectionString, $"select count(*) from orleans_reminder where reminder_name = 'day-roll' and grain_id = 'village/{Village.Code.Value}'"));
    }

    private static Task<long> DayRollPeriodMsAsync(string connectionString) =>
        ScalarAsync(connectionString, $"select coalesce(max(period_ms), 0) from orleans_reminder where reminder_name = 'day-roll' and grain_id = 'village/{Village.Code.Value}'");

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
