using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Retention;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Trips;

namespace Sanmenxia.IntegrationTests.Retention;

/// <summary>
/// The retention job on a PostgreSQL-backed silo driven by a fake domain clock: the due rows are gone from the tables
/// (counted with SQL), the forgotten trip is gone from its grain and its state row, what is not due stays, the daily
/// aggregate stays, and audit_log holds the run's counts.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RetentionPostgresTests(PostgresFixture postgres)
{
    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_run_on_the_fake_clock_deletes_due_rows_and_grain_state_and_records_its_counts()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("retention_run");
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)));
        var clusterId = "retention-" + Guid.NewGuid().ToString("N")[..8];
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = connectionString,
            ["Orleans:Providers"] = "Postgres",
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = clusterId,
            ["Orleans:SiloPort"] = ApiFactory.FreePort().ToString(),
            ["Orleans:GatewayPort"] = ApiFactory.FreePort().ToString(),
            ["Privacy:KeySecret"] = "retention-test-key-secret-0123456789",
            ["Retention:BatchSize"] = "4",
            ["Retention:BatchPause"] = "00:00:00",
            ["Retention:ClearedStateRowsAfter"] = "00:00:00",
        });
        builder.Services.AddKeyedSingleton<TimeProvider>(Sanmenxia.Platform.Time.DomainClock.Key, clock);
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.AddSanmenxiaSilo(builder.Configuration));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var passes = host.Services.GetRequiredService<IPassStore>();
            var start = clock.GetUtcNow();
            for (var d = 0; d < 35; d++)
                await passes.AppendAsync(new PassRecord(Guid.CreateVersion7(start.AddDays(d)), "cp-411202-0001", "411202", "rkey-pg", "王*", PassDirection.In,
                    start.AddDays(d), CodeColour.Green, PassOutcome.Allowed, "green.allowed", "staff", PassMethod.Qr));
            await passes.UpsertDailyAsync(new CheckpointDaily("cp-411202-0001", "411202", new CheckpointDayCounts { Day = new DateOnly(2020, 2, 1), Passes = 1 }));
            var oldTrip = new TripId(TravelMode.Train, "G1234", new DateOnly(2020, 2, 1));
            var newTrip = new TripId(TravelMode.Train, "G5678", new DateOnly(2020, 3, 1));
            foreach (var trip in new[] { oldTrip, newTrip })
            {
                await grains.GetGrain<ITripGrain>(trip.Key).PublishCaseAsync(trip, new PublishedCase("case-1", new SeatInfo(3, 5, "A"), null, null, "health commission",
                    clock.GetUtcNow(), "commander"));
                await grains.GetGrain<ITripIndexGrain>(0).AddAsync(trip);
            }
            Assert.Equal(35, await CountAsync(connectionString, "select count(*) from checkpoint_passes"));
            const string TripRows = "select count(*) from orleans_grain_state where grain_type like '%trip%' and grain_type not like '%index%'";
            var tripRows = await CountAsync(connectionString, TripRows);
            Assert.Equal(2, tripRows);

            // 34 days on: the first 7 days' passes are due (28 kept) and the 1 February trip's watch ended 20 days ago.
            clock.Advance(TimeSpan.FromDays(34));
            var report = await grains.GetGrain<IRetentionGrain>(IRetentionGrain.Key).RunAsync("admin");

            Assert.Equal(7, report.CountOf(RetentionKinds.CheckpointPasses));
            Assert.Equal(28, await CountAsync(connectionString, "select count(*) from checkpoint_passes"));
            Assert.Equal(0, await CountAsync(connectionString, "select count(*) from checkpoint_passes where at < '2020-02-08 00:00+08'"));
            Assert.Equal(1, await CountAsync(connectionString, "select count(*) from checkpoint_daily"));
            Assert.Equal(1, report.CountOf(RetentionKinds.Trips));
            // The trip's grain state row is gone (cleared, then deleted); the grain serves nothing of it; the newer trip stays.
            Assert.Equal(1, await CountAsync(connectionString, TripRows));
            Assert.Empty((await grains.GetGrain<ITripGrain>(oldTrip.Key).QueryAsync(new SeatInfo(3, 5, "A"))).Cases);
            Assert.NotEmpty((await grains.GetGrain<ITripGrain>(newTrip.Key).QueryAsync(new SeatInfo(3, 5, "A"))).Cases);
            Assert.Equal([newTrip], await grains.GetGrain<ITripIndexGrain>(0).ListAsync());
            // Batches of at most 4 rows: 7 passes take two statements.
            Assert.True(report.Batches >= 2);
            // The trail holds the counts.
            Assert.Equal(1, await CountAsync(connectionString,
                "select count(*) from audit_log where action = 'retention.run' and detail->>'text' like '%checkpoint-passes=7%' and detail->>'text' like '%trips=1%'"));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
