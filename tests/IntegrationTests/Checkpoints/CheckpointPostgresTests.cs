using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Sanmenxia.Api.Checkpoints;
using Sanmenxia.Checkpoints;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.Persistence;
using Sanmenxia.Regions;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Villages;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Checkpoints;

/// <summary>
/// Checkpoints on a real PostgreSQL-backed silo (wired as the Silo host wires it, plus the PostgreSQL pass store): many
/// concurrent scans at several checkpoints, then every checkpoint's counters equal the rows in checkpoint_passes, the
/// township's roll-up equals the sum, the daily aggregate is written, and after a full cluster restart the recount
/// from the store gives the same numbers. Retention deletes old rows in batches, driven by a fake clock.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CheckpointPostgresTests(PostgresFixture postgres)
{
    private static async Task<IHost> StartSiloAsync(string connectionString, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = connectionString,
            ["Orleans:Providers"] = "Postgres",
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = clusterId,
            ["Orleans:SiloPort"] = ApiFactory.FreePort().ToString(),
            ["Orleans:GatewayPort"] = ApiFactory.FreePort().ToString(),
            ["Privacy:KeySecret"] = "cluster-test-key-secret-0123456789",
            ["Deadlines:RollupInterval"] = "00:00:00.200",
        });
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddSanmenxiaLogFilters();
        builder.UseOrleans(silo => silo.AddSanmenxiaSilo(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<CheckpointDayCounts> CountRowsAsync(string connectionString, string checkpointId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select
              count(*) filter (where duplicate_of is null and outcome <> 'Refused' and direction = 'In'),
              count(*) filter (where duplicate_of is null and outcome <> 'Refused' and direction = 'Out'),
              count(distinct resident_key) filter (where duplicate_of is null and colour_seen = 'Red'),
              count(distinct resident_key) filter (where duplicate_of is null and colour_seen = 'Yellow'),
              count(*) filter (where duplicate_of is null and outcome = 'Refused'),
              count(*) filter (where duplicate_of is not null),
              count(*) filter (where duplicate_of is null)
            from checkpoint_passes where checkpoint_id = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpointId });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new CheckpointDayCounts
        {
            Day = HealthCodeRules.Today(HealthCodePolicy.Default, DateTimeOffset.UtcNow),
            Entries = (int)reader.GetInt64(0), Exits = (int)reader.GetInt64(1), RedSeen = (int)reader.GetInt64(2), YellowSeen = (int)reader.GetInt64(3),
            Refused = (int)reader.GetInt64(4), Duplicates = (int)reader.GetInt64(5), Passes = (int)reader.GetInt64(6),
        };
    }

    [Fact]
    public async Task Concurrent_scans_at_several_checkpoints_leave_counters_equal_to_the_stored_rows_even_after_a_restart()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("checkpoints");
        var clusterId = "cp-" + Guid.NewGuid().ToString("N")[..8];
        var tree = SanmenxiaRegions.GenerateSyntheticTree(2020, 24);
        var villages = tree.Where(r => r.Level == RegionLevel.Village).Take(2).ToList();
        var township = villages[0].ParentCode!.Value;
        CheckpointInfo[] checkpoints =
        [
            new($"cp-{villages[0].Code.Value}-0001", "一号", villages[0].Code, RegionLevel.Village, CheckpointPolicy.Default, []),
            new($"cp-{villages[0].Code.Value}-0002", "二号", villages[0].Code, RegionLevel.Village, new CheckpointPolicy { Yellow = ColourAction.Refuse }, []),
            new($"cp-{villages[1].Code.Value}-0001", "三号", villages[1].Code, RegionLevel.Village, CheckpointPolicy.Default, []),
            new($"cp-{township.Value}-0001", "乡镇站", township, RegionLevel.Township, CheckpointPolicy.Default, []),
        ];
        var expectedTotals = new Dictionary<string, CheckpointDayCounts>();
        var colours = new[] { CodeColour.Green, CodeColour.Green, CodeColour.Green, CodeColour.Yellow, CodeColour.Red, CodeColour.None };

        await using (var _ = new AsyncDisposableHost(await StartSiloAsync(connectionString, clusterId), out var host))
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<IRegionDirectoryGrain>(0).LoadAsync(tree);
            foreach (var region in tree)
                if (region.Level == RegionLevel.Village) await grains.GetGrain<IVillageGrain>(region.Code.Value).DefineAsync(region);
                else await grains.GetGrain<IRegionGrain>(region.Code.Value).DefineAsync(region);
            await grains.GetGrain<ICheckpointDirectoryGrain>(0).AddAsync(checkpoints
                .Select(c => new CheckpointEntry(c.Id, c.Name, c.RegionCode.Value, CheckpointRules.ReportTarget(c.RegionCode).Value)).ToList());
            foreach (var c in checkpoints) Assert.Equal(CheckpointDefineOutcome.Created, await grains.GetGrain<ICheckpointGrain>(c.Id).DefineAsync(c));

            // 1,600 scans from 64 concurrent workers: 80 people at 4 checkpoints, both directions, all colours; many
            // repeats fall into the duplicate window.
            var attempts = Enumerable.Range(0, 1_600).Select(i =>
            {
                var random = new Random(i);
                return (Checkpoint: checkpoints[random.Next(checkpoints.Length)].Id,
                    Attempt: new PassAttempt($"rtest{random.Next(80):D3}", "测*人", random.Next(2) == 0 ? PassDirection.In : PassDirection.Out,
                        colours[random.Next(colours.Length)], (PassMethod)random.Next(3), "staff-" + random.Next(4)));
            }).ToList();
            var answered = 0;
            await Parallel.ForEachAsync(attempts, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (a, _) =>
            {
                await grains.GetGrain<ICheckpointGrain>(a.Checkpoint).RegisterPassAsync(a.Attempt);
                Interlocked.Increment(ref answered);
            });
            Assert.Equal(attempts.Count, answered);

            foreach (var c in checkpoints)
            {
                var counters = await grains.GetGrain<ICheckpointGrain>(c.Id).GetTodayAsync();
                Assert.Equal(await CountRowsAsync(connectionString, c.Id), counters);
                expectedTotals[c.Id] = counters;
            }
            Assert.Equal(attempts.Count, expectedTotals.Values.Sum(c => c.Passes + c.Duplicates));
            Assert.True(expectedTotals.Values.Sum(c => c.Duplicates) > 0, "the scan mix should contain duplicates");
            Assert.True(expectedTotals[checkpoints[1].Id].Refused > expectedTotals[checkpoints[0].Id].Refused / 2, "the strict checkpoint refuses yellow too");

            // The township sums its checkpoints (its villages' and its own), coalesced.
            var expectedTownship = expectedTotals.Values.Aggregate(CheckpointTotals.Zero, (sum, c) => sum + c.ToTotals());
            await Eventually.Until(async () => (await grains.GetGrain<IRegionGrain>(township.Value).GetCountsAsync()).Checkpoints == expectedTownship,
                TimeSpan.FromSeconds(20), "the township's roll-up to match its checkpoints", TimeSpan.FromMilliseconds(50));

            // The daily aggregate row follows the counters.
            await Eventually.Until(async () =>
            {
                var daily = await host.Services.GetRequiredService<IPassStore>().DailyAsync(checkpoints[0].Id, DateOnly.MinValue, DateOnly.MaxValue);
                return daily.Count == 1 && daily[0] == expectedTotals[checkpoints[0].Id];
            }, TimeSpan.FromSeconds(20), "checkpoint_daily to match the counters", TimeSpan.FromMilliseconds(50));
        } // the whole cluster stops

        await using (var _ = new AsyncDisposableHost(await StartSiloAsync(connectionString, clusterId), out var again))
        {
            var grains = again.Services.GetRequiredService<IGrainFactory>();
            foreach (var c in checkpoints) Assert.Equal(expectedTotals[c.Id], await grains.GetGrain<ICheckpointGrain>(c.Id).GetTodayAsync());
            // A region activated after the restart finds its checkpoints through the directory (and asks them in the
            // background: its first answer may come before theirs, docs/dashboard.md "Recovery").
            var expectedTownship = expectedTotals.Values.Aggregate(CheckpointTotals.Zero, (sum, c) => sum + c.ToTotals());
            await Eventually.Until(async () => (await grains.GetGrain<IRegionGrain>(township.Value).GetCountsAsync()).Checkpoints == expectedTownship,
                TimeSpan.FromSeconds(20), "the township activated after the restart to sum its checkpoints", TimeSpan.FromMilliseconds(50));
            // Checkpoints are summed, never lines of the township's table: every line is one of its villages.
            Assert.All(await grains.GetGrain<IRegionGrain>(township.Value).GetChildrenAsync(),
                c => Assert.True(RegionCode.TryParse(c.Code, out var code) && code.Parent == township, c.Code));
        }
    }

    [Fact]
    public async Task Retention_deletes_rows_older_than_the_period_in_batches_and_keeps_the_rest()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("retention");
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var store = new PostgresPassStore(db, NullLogger<PostgresPassStore>.Instance);
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)));
        await AppendDaysAsync(store, clock.GetUtcNow(), days: 40, perDay: 5);

        // 40 days later by the fake clock: with 28 days kept, the 12 oldest days' rows go, 3 rows per statement.
        clock.Advance(TimeSpan.FromDays(39));
        var retention = NewRetention(store, clock, batchSize: 3);
        Assert.Equal(12 * 5, await retention.RunOnceAsync());
        Assert.Equal(0, await retention.RunOnceAsync());
        var kept = await store.ForCheckpointAsync("cp-411202-0001", new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero), 0, 10_000);
        Assert.Equal(28 * 5, kept.Count);
        Assert.True(kept.Min(p => p.At) >= retention.Cutoff());
    }

    [Fact]
    public async Task Retention_works_the_same_on_the_in_memory_store()
    {
        var store = new InMemoryPassStore();
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)));
        await AppendDaysAsync(store, clock.GetUtcNow(), days: 30, perDay: 2);
        clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(2 * 2, await NewRetention(store, clock, batchSize: 1).RunOnceAsync());
        Assert.Equal(28 * 2, store.Count);
    }

    /// <summary>What the retention job does with passes (RetentionGrain): the cutoff of CheckpointPassDays = 28 on the calendar, batch by batch.</summary>
    private static PassPruning NewRetention(IPassStore store, TimeProvider clock, int batchSize) =>
        new(store, new DomainCalendar(clock, HealthCodePolicy.Default), batchSize);

    private sealed class PassPruning(IPassStore store, DomainCalendar calendar, int batchSize)
    {
        public DateTimeOffset Cutoff() => calendar.EndOfDay(calendar.Today.AddDays(-new RetentionOptions().CheckpointPassDays));

        public async Task<int> RunOnceAsync()
        {
            var total = 0;
            for (int deleted; (deleted = await store.DeleteOlderThanAsync(Cutoff(), batchSize)) > 0;)
            {
                Assert.True(deleted <= batchSize);
                total += deleted;
            }
            return total;
        }
    }

    private static async Task AppendDaysAsync(IPassStore store, DateTimeOffset start, int days, int perDay)
    {
        var appends = new List<Task>();
        for (var d = 0; d < days; d++)
            for (var i = 0; i < perDay; i++)
            {
                var at = start.AddDays(d).AddMinutes(i);
                appends.Add(store.AppendAsync(new PassRecord(Guid.CreateVersion7(at), "cp-411202-0001", "411202", $"rkey{i}", "某*", PassDirection.In, at,
                    CodeColour.Green, PassOutcome.Allowed, "green.allowed", "staff", PassMethod.Qr)));
            }
        await Task.WhenAll(appends);
    }

    private sealed class AsyncDisposableHost : IAsyncDisposable
    {
        private readonly IHost _host;
        public AsyncDisposableHost(IHost host, out IHost value) => _host = value = host;
        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync(TimeSpan.FromSeconds(30));
            _host.Dispose();
        }
    }
}
