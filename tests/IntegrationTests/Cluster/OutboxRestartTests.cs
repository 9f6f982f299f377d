using Npgsql;
using Sanmenxia.IntegrationTests.Grains;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>
/// The resident's outbox on PostgreSQL: a summary its village never acknowledged is stored with the resident's state,
/// survives a silo restart, and is delivered afterwards by the outbox reminder with no caller touching the resident.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OutboxRestartTests(PostgresFixture postgres)
{
    private static readonly RegionInfo Village = SanmenxiaRegions.GenerateSyntheticTree(2020, 12).First(r => r.Level == RegionLevel.Village);

    [Fact]
    public async Task A_pending_summary_survives_a_silo_restart_and_is_delivered_without_a_caller()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("outbox");
        var clusterId = "outbox-" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["Requests:VillageReportWait"] = "00:00:00.200",
            ["Requests:VillageReportRetry"] = "00:00:00.500",
            ["Requests:OutboxReminderPeriod"] = "00:00:02",
        };
        var residentKey = "r" + Guid.NewGuid().ToString("N")[..26];
        var faults = new VillageFaults();

        await using (var first = await SanmenxiaHost.StartAsync(connectionString, clusterId, settings, silo => VillageFaults.AddTo(silo, faults)))
        {
            await first.Grains.GetGrain<IVillageGrain>(Village.Code.Value).DefineAsync(Village);
            faults.Set(VillageFaults.Mode.Throw); // the village takes nothing from here on, in this silo's life
            var resident = first.Grains.GetGrain<IResidentGrain>(residentKey);
            var id = Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1976, 4, 2), 512).Value;
            Assert.Equal(RegistrationOutcome.Created, await resident.RegisterAsync(
                new ResidentRegistration(id, "周待报", "13700002222", Village.Code.Value, "h-outbox", Actor.Staff("test", "admin"))));
            Assert.True((await resident.ApplyAsync(36.5m, true, Actor.Self(residentKey))).Accepted);
            Assert.False(await first.Grains.GetGrain<IVillageGrain>(Village.Code.Value).HasResidentAsync(residentKey));
        } // the silo stops with the report undelivered

        // The resident's row was stored with its own write (the batched storage), though the village took nothing.
        Assert.Equal(1, await CountAsync(connectionString, "select count(*) from village_resident"));
        Assert.True(await CountAsync(connectionString, "select count(*) from orleans_reminder where reminder_name = 'village-outbox'") >= 1,
            "the outbox reminder is stored");

        await using var second = await SanmenxiaHost.StartAsync(connectionString, clusterId, settings);
        var village = second.Grains.GetGrain<IVillageGrain>(Village.Code.Value);
        // Only the village is asked: the resident is woken by its outbox reminder, not by a caller.
        var counts = await Eventually.Until(() => village.GetCountsAsync(), c => c.Applied == 1, TimeSpan.FromSeconds(60),
            "the restarted silo to deliver the pending summary");
        Assert.Equal(1, counts.Residents);
        // The restarted village counts from the rows; the pending report is still delivered (the reminder goes once it is).
        Assert.Equal(1, await CountAsync(connectionString, "select count(*) from village_resident"));
        await Eventually.Until(async () => await CountAsync(connectionString, "select count(*) from orleans_reminder where reminder_name = 'village-outbox'") == 0,
            TimeSpan.FromSeconds(30), "the delivered outbox to unregister its reminder");
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
