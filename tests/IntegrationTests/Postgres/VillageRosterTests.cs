using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sanmenxia.Platform.Stores;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Cluster;
using Sanmenxia.Persistence;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// The village_resident table (migration 0007) behind <see cref="PostgresVillageRoster"/>: versions decide, a
/// removal deletes only an older row, concurrent flushes grouped into one statement keep the newest of each key,
/// and a village grain rebuilds its counts from the rows after a restart.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class VillageRosterTests(PostgresFixture postgres)
{
    private static readonly RegionInfo Village = SanmenxiaRegions.GenerateSyntheticTree(2021, 12).First(r => r.Level == RegionLevel.Village);

    private static ResidentSummary Summary(string key, long version, bool removed = false, string name = "王*") =>
        new(key, version, name, "4112**********123X", "h-" + key, HealthCodeState.NotApplied, 0, Removed: removed);

    [Fact]
    public async Task The_newest_version_wins_and_a_removal_deletes_only_an_older_row()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("roster_versions");
        await using var host = await SanmenxiaHost.StartAsync(connectionString, "roster-" + Guid.NewGuid().ToString("N")[..8]);
        var roster = host.Services.GetRequiredService<IVillageRoster>();
        Assert.IsType<PostgresVillageRoster>(roster);

        await roster.SaveAsync("v1", [Summary("a", 1, name: "甲一"), Summary("b", 5, name: "乙五")]);
        await roster.SaveAsync("v1", [Summary("a", 3, name: "甲三")]);
        await roster.SaveAsync("v1", [Summary("a", 2, name: "甲二")]);       // older: ignored
        await roster.SaveAsync("v1", [Summary("b", 4, removed: true)]);    // removal older than the row: ignored
        await roster.SaveAsync("v2", [Summary("a", 1, name: "另一村")]);     // same resident key, other village: its own row

        var v1 = (await roster.LoadAsync("v1")).ToDictionary(s => s.ResidentKey);
        Assert.Equal(["a", "b"], v1.Keys.Order());
        Assert.Equal(("甲三", 3L), (v1["a"].Name, v1["a"].Version));
        Assert.Equal(5, v1["b"].Version);

        await roster.SaveAsync("v1", [Summary("b", 6, removed: true)]);
        Assert.Equal(["a"], (await roster.LoadAsync("v1")).Select(s => s.ResidentKey));
        Assert.Equal("另一村", Assert.Single(await roster.LoadAsync("v2")).Name);
        Assert.Empty(await roster.LoadAsync("v-unknown"));
    }

    [Fact]
    public async Task Concurrent_flushes_of_many_villages_keep_the_newest_summary_of_every_resident()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("roster_concurrent");
        await using var host = await SanmenxiaHost.StartAsync(connectionString, "roster-" + Guid.NewGuid().ToString("N")[..8]);
        var roster = host.Services.GetRequiredService<IVillageRoster>();

        // 100 villages × 20 residents, each resident flushed in 3 versions by concurrent calls in shuffled order,
        // so the same key arrives several times in one group-commit batch.
        var saves = (from v in Enumerable.Range(0, 100)
                     from version in new[] { 1L, 2L, 3L }
                     select (Village: $"v{v:000}", Rows: Enumerable.Range(0, 20).Select(r => Summary($"r{r:00}", version, name: $"v{version}")).ToList()))
            .OrderBy(_ => Random.Shared.Next()).ToList();
        await Task.WhenAll(saves.Select(s => Task.Run(() => roster.SaveAsync(s.Village, s.Rows))));

        for (var v = 0; v < 100; v++)
        {
            var rows = await roster.LoadAsync($"v{v:000}");
            Assert.Equal(20, rows.Count);
            Assert.All(rows, r => Assert.Equal((3L, "v3"), (r.Version, r.Name)));
        }
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var count = db.CreateCommand("select count(*) from village_resident");
        Assert.Equal(2_000L, (long)(await count.ExecuteScalarAsync())!);
    }

    /// <summary>The stock ADO.NET grain storage: the village writes the rows it is told about (VillageRosterOptions).</summary>
    private static readonly Dictionary<string, string?> StockGrainStorage = new() { ["Orleans:GrainStorage"] = "AdoNet" };

    [Fact]
    public async Task A_village_rebuilds_from_its_rows_after_a_restart()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("roster_village");
        var clusterId = "roster-" + Guid.NewGuid().ToString("N")[..8];
        var code = Village.Code.Value;

        await using (var first = await SanmenxiaHost.StartAsync(connectionString, clusterId, StockGrainStorage))
        {
            var village = first.Grains.GetGrain<IVillageGrain>(code);
            await village.DefineAsync(Village);
            foreach (var i in Enumerable.Range(0, 30)) await village.ReportAsync(Summary($"new{i:00}", 1));
            await village.ReportAsync(Summary("new00", 2, removed: true));
        } // the cluster stops: villages flush on deactivation

        await using var db = NpgsqlDataSource.Create(connectionString);
        async Task<long> RowsOf(string village)
        {
            await using var command = db.CreateCommand("select count(*) from village_resident where village_code = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = village });
            return (long)(await command.ExecuteScalarAsync())!;
        }
        Assert.Equal(29, await RowsOf(code));

        await using var second = await SanmenxiaHost.StartAsync(connectionString, clusterId, StockGrainStorage);
        var again = second.Grains.GetGrain<IVillageGrain>(code);
        Assert.Equal(29, (await again.GetCountsAsync()).Residents);
        Assert.False(await again.HasResidentAsync("new00"));
        Assert.True(await again.HasResidentAsync("new29"));
    }

    [Fact]
    public async Task With_the_batched_storage_residents_store_their_own_rows_the_village_writes_none_and_rebuilds_the_same_counts()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("roster_by_residents");
        var clusterId = "roster-" + Guid.NewGuid().ToString("N")[..8];
        var code = Village.Code.Value;
        var keys = Enumerable.Range(0, 6).Select(i => $"r{i}" + Guid.NewGuid().ToString("N")[..20]).ToList();
        RegionCounts before;

        await using (var first = await SanmenxiaHost.StartAsync(connectionString, clusterId))
        {
            var roster = Assert.IsType<PostgresVillageRoster>(first.Services.GetRequiredService<IVillageRoster>());
            var village = first.Grains.GetGrain<IVillageGrain>(code);
            await village.DefineAsync(Village);
            for (var i = 0; i < keys.Count; i++)
            {
                var resident = first.Grains.GetGrain<IResidentGrain>(keys[i]);
                var id = Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1980, 1, 1).AddDays(i * 41), 200 + i).Value;
                Assert.Equal(RegistrationOutcome.Created, await resident.RegisterAsync(
                    new ResidentRegistration(id, "行" + i, null, code, "h-" + keys[i], Actor.Staff("test", "admin"))));
                if (i < 4) Assert.True((await resident.ApplyAsync(36.6m, true, Actor.Self(keys[i]))).Accepted);
                if (i < 2) Assert.True((await resident.ClockInAsync(38.2m, [], Actor.Self(keys[i]))).Accepted); // a fever
            }
            await first.Grains.GetGrain<IResidentGrain>(keys[5]).EraseAsync(Actor.Staff("test", "admin"), "test erasure");

            before = await village.GetCountsAsync();
            Assert.Equal((5, 4, 2), (before.Residents, before.Applied, before.Fever));
            // Every report was acknowledged without the village writing a row: the residents' writes carried them.
            Assert.Equal(0, roster.SavedBatches);
            var rows = (await roster.LoadAsync(code)).ToDictionary(s => s.ResidentKey);
            Assert.Equal(keys.Take(5).Order(), rows.Keys.Order());
            var code0 = await first.Grains.GetGrain<IResidentGrain>(keys[0]).GetCodeAsync();
            Assert.Equal(38.2m, rows[keys[0]].Code.LastTemperature);
            Assert.Equal(code0.TodayClockIn?.Temperature, rows[keys[0]].Code.LastTemperature);
        }

        // A new activation counts from the rows alone: the same counts.
        await using var second = await SanmenxiaHost.StartAsync(connectionString, clusterId);
        var after = await second.Grains.GetGrain<IVillageGrain>(code).GetCountsAsync();
        Assert.Equal(before, after);
    }
}
