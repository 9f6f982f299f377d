using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TestingHost;
using Sanmenxia.Grains;
using Sanmenxia.IntegrationTests.Cluster;
using Sanmenxia.Persistence;
using Sanmenxia.Platform.Options;
using Sanmenxia.Persistence.BatchingGrainStorage;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;
using Sanmenxia.IntegrationTests.Support;
using static Sanmenxia.IntegrationTests.Postgres.PgTestSql;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// The group-commit grain storage provider (src/Persistence/BatchingGrainStorage) against a real PostgreSQL: the
/// IGrainStorage contract with ETag concurrency, per-row conflicts inside one batch, and interchangeability with the
/// stock ADO.NET provider on the same orleans_grain_state rows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class BatchingGrainStorageTests(PostgresFixture fixture)
{
    private const string StateName = "probe";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Round_trip_with_versions_as_etags()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_roundtrip");
        await using var storage = env.NewBatched();
        var id = GrainId.Create("probe", "round-trip");

        var fresh = NewState();
        await storage.ReadStateAsync(StateName, id, fresh);
        Assert.False(fresh.RecordExists);
        Assert.Null(fresh.ETag);
        Assert.Null(fresh.State!.Value);

        fresh.State!.Value = "green";
        await storage.WriteStateAsync(StateName, id, fresh);
        Assert.Equal("1", fresh.ETag);
        Assert.True(fresh.RecordExists);
        fresh.State!.Value = "yellow";
        await storage.WriteStateAsync(StateName, id, fresh);
        Assert.Equal("2", fresh.ETag);

        var read = NewState();
        await storage.ReadStateAsync(StateName, id, read);
        Assert.Equal(("yellow", "2", true), (read.State!.Value, read.ETag, read.RecordExists));
        Assert.Equal(2, await ScalarAsync<int>(env.ConnectionString, "SELECT version FROM orleans_grain_state WHERE grain_id_extension = 'round-trip'"));
    }

    [Fact]
    public async Task A_stale_etag_fails_only_its_own_write_among_50_others_in_the_same_batch()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_conflict");
        // One writer: the batch below is exactly what queued while that writer was busy.
        await using var storage = env.NewBatched(new BatchingGrainStorageOptions { WriteConcurrency = 1, BatchReads = false });
        var others = Enumerable.Range(0, 50).Select(i => (Id: GrainId.Create("probe", $"other-{i}"), State: NewState($"v{i}"))).ToList();
        foreach (var (id, state) in others) await storage.WriteStateAsync(StateName, id, state);
        var contested = GrainId.Create("probe", "contested");
        var winner = NewState("first");
        await storage.WriteStateAsync(StateName, contested, winner);
        var stale = NewState();
        await storage.ReadStateAsync(StateName, contested, stale);
        winner.State!.Value = "second";
        await storage.WriteStateAsync(StateName, contested, winner); // now version 2; `stale` still holds ETag 1
        Assert.Equal(("1", "2"), (stale.ETag, winner.ETag));

        var batchesBefore = storage.Statistics.WriteBatches;
        var tasks = await InOneBatchAsync(env, storage, () =>
        {
            var list = new List<Task>();
            foreach (var (id, state) in others)
            {
                state.State!.Value += "'";
                list.Add(storage.WriteStateAsync(StateName, id, state));
            }
            stale.State!.Value = "lost update";
            list.Add(storage.WriteStateAsync(StateName, contested, stale));
            return list;
        });

        // The blocker's first write, its held write, then all 51 together.
        Assert.Equal(3, storage.Statistics.WriteBatches - batchesBefore);
        Assert.Equal(51, storage.Statistics.LargestWriteBatch);
        await Assert.ThrowsAsync<InconsistentStateException>(() => tasks[^1]);
        Assert.All(tasks[..^1], t => Assert.True(t.IsCompletedSuccessfully));
        Assert.All(others, o => Assert.Equal("2", o.State.ETag));
        Assert.Equal("1", stale.ETag); // a failed write leaves the caller's ETag alone

        var check = NewState();
        await storage.ReadStateAsync(StateName, contested, check);
        Assert.Equal(("second", "2"), (check.State!.Value, check.ETag));
        var other7 = NewState();
        await storage.ReadStateAsync(StateName, others[7].Id, other7);
        Assert.Equal(("v7'", "2"), (other7.State!.Value, other7.ETag));
    }

    [Fact]
    public async Task Two_first_writes_race_and_exactly_one_wins_in_separate_or_the_same_batch()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_first_write");
        await using var storage = env.NewBatched();
        await using var serial = env.NewBatched(new BatchingGrainStorageOptions { WriteConcurrency = 1 });

        // Concurrent writers (string, integer and GUID-with-extension keys), whichever batches they land in.
        foreach (var id in new[] { GrainId.Create("probe", "race"), IntegerId(42), GuidId(Guid.NewGuid(), "ext") })
        {
            var a = NewState("a");
            var b = NewState("b");
            var results = await Task.WhenAll(Outcome(storage.WriteStateAsync(StateName, id, a)), Outcome(storage.WriteStateAsync(StateName, id, b)));
            Assert.Equal(1, results.Count(ok => ok));
            var read = NewState();
            await storage.ReadStateAsync(StateName, id, read);
            Assert.Equal("1", read.ETag);
            Assert.Equal(results[0] ? "a" : "b", read.State!.Value);
        }
        Assert.Equal(3, await ScalarAsync<long>(env.ConnectionString, "SELECT count(*) FROM orleans_grain_state"));

        // Both inserts in the same statement: the first in arrival order wins, the second conflicts.
        var same = GrainId.Create("probe", "race-same-batch");
        var first = NewState("first");
        var second = NewState("second");
        var tasks = await InOneBatchAsync(env, serial, () =>
            [serial.WriteStateAsync(StateName, same, first), serial.WriteStateAsync(StateName, same, second)]);
        await tasks[0];
        await Assert.ThrowsAsync<InconsistentStateException>(() => tasks[1]);
        Assert.Equal("1", first.ETag);
        Assert.Null(second.ETag);
    }

    [Fact]
    public async Task Clear_keeps_the_row_bumps_the_version_and_rejects_stale_etags()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_clear");
        await using var storage = env.NewBatched();
        var id = GrainId.Create("probe", "clear-me");

        // Nothing stored: clearing is a no-op that writes no row.
        var nothing = NewState();
        await storage.ClearStateAsync(StateName, id, nothing);
        Assert.Null(nothing.ETag);
        Assert.Equal(0L, await ScalarAsync<long>(env.ConnectionString, "SELECT count(*) FROM orleans_grain_state"));

        var a = NewState("a");
        await storage.WriteStateAsync(StateName, id, a);
        var stale = NewState();
        await storage.ReadStateAsync(StateName, id, stale);
        await storage.WriteStateAsync(StateName, id, a); // version 2
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, id, stale));

        await storage.ClearStateAsync(StateName, id, a);
        Assert.Equal(("3", false), (a.ETag, a.RecordExists));
        Assert.Null(a.State!.Value);
        var read = NewState();
        await storage.ReadStateAsync(StateName, id, read);
        Assert.Equal(("3", false), (read.ETag, read.RecordExists));
        Assert.Null(read.State!.Value);
        Assert.Equal(1L, await ScalarAsync<long>(env.ConnectionString, "SELECT count(*) FROM orleans_grain_state WHERE payload IS NULL AND version = 3"));

        // The old ETag still conflicts after the clear; the clear's ETag writes again.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, stale));
        var again = NewState();
        await storage.ReadStateAsync(StateName, id, again);
        again.State!.Value = "again";
        await storage.WriteStateAsync(StateName, id, again);
        Assert.Equal("4", again.ETag);
    }

    [Fact]
    public async Task The_stock_provider_and_the_batched_one_read_and_write_each_others_rows()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_interop");
        await using var batched = env.NewBatched();
        var stock = env.Stock;
        GrainId[] ids = [GrainId.Create("probe", "interop-string"), IntegerId(-7), IntegerId(9, "ext"), GuidId(Guid.NewGuid()), GuidId(Guid.NewGuid(), "ext")];

        foreach (var id in ids)
        {
            // stock writes, batched reads and updates, stock reads and updates, batched reads and clears, stock reads.
            var s1 = NewState("by-stock");
            await stock.WriteStateAsync(StateName, id, s1);
            var b1 = NewState();
            await batched.ReadStateAsync(StateName, id, b1);
            Assert.Equal(("by-stock", "1", true), (b1.State!.Value, b1.ETag, b1.RecordExists));
            b1.State!.Value = "by-batched";
            await batched.WriteStateAsync(StateName, id, b1);

            await Assert.ThrowsAsync<InconsistentStateException>(() => stock.WriteStateAsync(StateName, id, s1)); // stale in both directions
            var s2 = NewState();
            await stock.ReadStateAsync(StateName, id, s2);
            Assert.Equal(("by-batched", "2"), (s2.State!.Value, s2.ETag));
            s2.State!.Value = "by-stock-again";
            await stock.WriteStateAsync(StateName, id, s2);
            await Assert.ThrowsAsync<InconsistentStateException>(() => batched.WriteStateAsync(StateName, id, b1));

            var b2 = NewState();
            await batched.ReadStateAsync(StateName, id, b2);
            Assert.Equal(("by-stock-again", "3"), (b2.State!.Value, b2.ETag));
            await batched.ClearStateAsync(StateName, id, b2);
            var s3 = NewState();
            await stock.ReadStateAsync(StateName, id, s3);
            Assert.Equal(("4", false), (s3.ETag, s3.RecordExists));

            // A first write by one provider collides with a first write by the other on the same key.
            var fresh = id.Key.ToString() + "-fresh";
            var freshId = GrainId.Create("probe", fresh);
            await batched.WriteStateAsync(StateName, freshId, NewState("batched-first"));
            await Assert.ThrowsAsync<InconsistentStateException>(() => stock.WriteStateAsync(StateName, freshId, NewState("stock-second")));
        }
        // One row per grain: the two providers computed the same keys and hashes.
        Assert.Equal(ids.Length * 2L, await ScalarAsync<long>(env.ConnectionString, "SELECT count(*) FROM orleans_grain_state"));
    }

    [Fact]
    public async Task Concurrent_activations_are_read_in_batches_and_see_their_own_rows()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_reads");
        await using var storage = env.NewBatched();
        var ids = Enumerable.Range(0, 300).Select(i => GrainId.Create("probe", $"read-{i}")).ToArray();
        await Task.WhenAll(ids.Where((_, i) => i % 3 != 0).Select((id, i) => storage.WriteStateAsync(StateName, id, NewState(id.Key.ToString()))));

        var states = ids.Select(_ => NewState()).ToArray();
        await Task.WhenAll(ids.Select((id, i) => storage.ReadStateAsync(StateName, id, states[i])));
        for (var i = 0; i < ids.Length; i++)
        {
            var exists = i % 3 != 0;
            Assert.Equal(exists, states[i].RecordExists);
            Assert.Equal(exists ? ids[i].Key.ToString() : null, states[i].State!.Value);
            Assert.Equal(exists ? "1" : null, states[i].ETag);
        }
        Assert.True(storage.Statistics.ReadBatches < ids.Length);
    }

    [Fact]
    public async Task A_cluster_restart_keeps_state_written_by_the_batched_provider_and_the_switch_selects_either()
    {
        var connectionString = await fixture.NewMigratedDatabaseAsync("batch_restart");
        var clusterId = "batch-" + Guid.NewGuid().ToString("N")[..8];
        var village = SanmenxiaRegions.GenerateSyntheticTree(2020, 12).First(r => r.Level == RegionLevel.Village);
        var residentKey = "r" + Guid.NewGuid().ToString("N")[..26];
        Dictionary<string, string?> Provider(string mode) => new() { ["Orleans:GrainStorage"] = mode };

        await using (var first = await SanmenxiaHost.StartAsync(connectionString, clusterId, Provider("Batched")))
        {
            Assert.IsType<BatchingGrainStorage>(first.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default));
            await first.Grains.GetGrain<IVillageGrain>(village.Code.Value).DefineAsync(village);
            var id = Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1980, 5, 1), 123).Value;
            Assert.Equal(RegistrationOutcome.Created, await first.Grains.GetGrain<IResidentGrain>(residentKey).RegisterAsync(
                new ResidentRegistration(id, "王批量", "13700002222", village.Code.Value, "h-batch", Actor.Staff("test", "admin"))));
            Assert.True((await first.Grains.GetGrain<IResidentGrain>(residentKey).ApplyAsync(36.6m, true, Actor.Self(residentKey))).Accepted);
        }

        // The stock provider picks up the batched provider's rows (and its versions) after the restart...
        await using (var second = await SanmenxiaHost.StartAsync(connectionString, clusterId, Provider("AdoNet")))
        {
            Assert.IsNotType<BatchingGrainStorage>(second.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default));
            var profile = await second.Grains.GetGrain<IResidentGrain>(residentKey).GetProfileAsync();
            Assert.Equal("王批量", profile?.Name);
            Assert.False((await second.Grains.GetGrain<IResidentGrain>(residentKey).ApplyAsync(36.6m, true, Actor.Self(residentKey))).Accepted);
        }

        // ...and the batched provider picks them up again.
        await using var third = await SanmenxiaHost.StartAsync(connectionString, clusterId, Provider("Batched"));
        var again = await third.Grains.GetGrain<IResidentGrain>(residentKey).GetProfileAsync();
        Assert.Equal("王批量", again?.Name);
        Assert.Equal(1, (await third.Grains.GetGrain<IVillageGrain>(village.Code.Value).GetCountsAsync()).Residents);
    }

    [Fact]
    public async Task A_key_postgres_refuses_fails_only_its_own_write_and_read_among_good_keys_in_the_same_batch()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_bad_key");
        await using var storage = env.NewBatched(new BatchingGrainStorageOptions { WriteConcurrency = 1, ReadConcurrency = 1 });
        // PostgreSQL refuses the zero byte in text (SQLSTATE 22021): before, it failed every grain batched with it.
        var bad = GrainId.Create("probe", "bad\0key");
        var good = Enumerable.Range(0, 20).Select(i => (Id: GrainId.Create("probe", $"good-{i}"), State: NewState($"v{i}"))).ToList();

        var writes = await InOneBatchAsync(env, storage, () =>
            [.. good.Select(g => storage.WriteStateAsync(StateName, g.Id, g.State)), storage.WriteStateAsync(StateName, bad, NewState("x"))]);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => writes[^1]);
        Assert.All(writes[..^1], t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.InnerException?.Message));
        Assert.All(good, g => Assert.Equal("1", g.State.ETag));

        var reads = good.Select(g => (g.Id, State: NewState())).ToList();
        var readTasks = await InOneReadBatchAsync(env, storage, () =>
            [storage.ReadStateAsync(StateName, bad, NewState()), .. reads.Select(r => storage.ReadStateAsync(StateName, r.Id, r.State))]);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => readTasks[0]);
        Assert.All(readTasks[1..], t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.InnerException?.Message));
        Assert.Equal(("v7", "1"), (reads[7].State.State!.Value, reads[7].State.ETag));
    }

    // ---- the resident's village rows in the same statement (issue #20: one commit per clock-in) ----

    [Fact]
    public async Task A_write_and_its_village_rows_commit_together_and_a_stale_etag_writes_neither_while_the_others_commit_with_theirs()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_rows_stale");
        await using var storage = env.NewBatched(new BatchingGrainStorageOptions { WriteConcurrency = 1, BatchReads = false });
        var contested = GrainId.Create("probe", "rows-contested");
        var winner = Carrier("first", ("v1", Row("rows-contested", 1)));
        await storage.WriteStateAsync(StateName, contested, winner);
        Assert.Equal(1L, await RowVersionAsync(env, "v1", "rows-contested"));
        var stale = Carrier();
        await storage.ReadStateAsync(StateName, contested, stale);
        winner.State!.Rows.Clear();
        winner.State.Rows.Add(new("v1", Row("rows-contested", 2)));
        await storage.WriteStateAsync(StateName, contested, winner); // version 2; `stale` holds ETag 1

        // One batch: 20 residents with their rows (one also leaving another village), and the stale write with a newer row.
        var others = Enumerable.Range(0, 20).Select(i => (Id: GrainId.Create("probe", $"rows-{i}"), State: Carrier($"v{i}", ("v1", Row($"rows-{i}", 1))))).ToList();
        await env.InsertRowAsync("v-old", "rows-3", 0);
        others[3].State.State!.Rows.Add(new("v-old", Row("rows-3", 1, removed: true)));
        stale.State!.Rows.Add(new("v1", Row("rows-contested", 9)));
        stale.State.Rows.Add(new("v-old", Row("rows-contested", 9, removed: true)));
        await env.InsertRowAsync("v-old", "rows-contested", 0);
        var tasks = await InOneBatchAsync(env, storage, () =>
            [.. others.Select(o => storage.WriteStateAsync(StateName, o.Id, o.State)), storage.WriteStateAsync(StateName, contested, stale)]);

        await Assert.ThrowsAsync<InconsistentStateException>(() => tasks[^1]);
        Assert.All(tasks[..^1], t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.InnerException?.Message));
        // Neither the stale state nor its rows: the stored row keeps the winner's version, the old village keeps its row.
        Assert.Equal(2L, await RowVersionAsync(env, "v1", "rows-contested"));
        Assert.Equal(0L, await RowVersionAsync(env, "v-old", "rows-contested"));
        // The others' rows committed with their states, the removal included.
        foreach (var (id, state) in others) Assert.Equal(("1", 1L), (state.ETag, await RowVersionAsync(env, "v1", id.Key.ToString()!)));
        Assert.Null(await RowVersionAsync(env, "v-old", "rows-3"));
        var payload = (await env.LoadRosterAsync("v1")).Single(s => s.ResidentKey == "rows-7");
        Assert.Equal(("名rows-7", 1L), (payload.Name, payload.Version)); // the roster's own row format: the village loads it
    }

    [Fact]
    public async Task A_statement_refused_for_a_carried_row_stores_neither_that_state_nor_its_rows_and_the_rest_of_the_batch_commits()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_rows_fail");
        await using var storage = env.NewBatched(new BatchingGrainStorageOptions { WriteConcurrency = 1, BatchReads = false });
        // PostgreSQL refuses the zero byte in the row's village code: the whole statement fails (then the batch is split).
        var doomed = GrainId.Create("probe", "rows-doomed");
        var doomedState = Carrier("doomed", ("v1", Row("rows-doomed", 1)), ("bad\0village", Row("rows-doomed", 1)));
        var good = Enumerable.Range(0, 10).Select(i => (Id: GrainId.Create("probe", $"rows-good-{i}"), State: Carrier($"g{i}", ("v1", Row($"rows-good-{i}", 1))))).ToList();

        var tasks = await InOneBatchAsync(env, storage, () =>
            [storage.WriteStateAsync(StateName, doomed, doomedState), .. good.Select(g => storage.WriteStateAsync(StateName, g.Id, g.State))]);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => tasks[0]);
        Assert.All(tasks[1..], t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.InnerException?.Message));
        Assert.Equal(0L, await ScalarAsync<long>(env.ConnectionString, "SELECT count(*) FROM orleans_grain_state WHERE grain_id_extension = 'rows-doomed'"));
        Assert.Null(await RowVersionAsync(env, "v1", "rows-doomed"));
        Assert.Equal(10L, await ScalarAsync<long>(env.ConnectionString, "SELECT count(*) FROM village_resident WHERE village_code = 'v1'"));
    }

    [Fact]
    public async Task A_clear_carries_the_deletion_of_its_rows_and_a_removal_never_deletes_a_newer_row()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_rows_clear");
        await using var storage = env.NewBatched();
        var id = GrainId.Create("probe", "rows-erased");
        var state = Carrier("x", ("v1", Row("rows-erased", 4)), ("v2", Row("rows-erased", 4)));
        await storage.WriteStateAsync(StateName, id, state);
        await env.InsertRowAsync("v3", "rows-erased", 10); // newer than the removal below

        state.State!.Rows.Clear();
        state.State.Rows.AddRange([new("v1", Row("rows-erased", 5, removed: true)), new("v2", Row("rows-erased", 3, removed: true)), new("v3", Row("rows-erased", 5, removed: true))]);
        await storage.ClearStateAsync(StateName, id, state);

        Assert.Equal(("2", false), (state.ETag, state.RecordExists));
        Assert.Null(await RowVersionAsync(env, "v1", "rows-erased"));
        Assert.Equal(4L, await RowVersionAsync(env, "v2", "rows-erased")); // the removal was older than the row
        Assert.Equal(10L, await RowVersionAsync(env, "v3", "rows-erased"));
    }

    [Fact]
    public async Task Two_updates_of_one_key_with_the_same_etag_in_one_batch_one_wins_the_other_conflicts()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_dup_update");
        await using var storage = env.NewBatched(new BatchingGrainStorageOptions { WriteConcurrency = 1, BatchReads = false });
        var id = GrainId.Create("probe", "dup");
        await storage.WriteStateAsync(StateName, id, NewState("v1"));
        var a = NewState();
        var b = NewState();
        await storage.ReadStateAsync(StateName, id, a);
        await storage.ReadStateAsync(StateName, id, b);
        (a.State!.Value, b.State!.Value) = ("a", "b");

        var tasks = await InOneBatchAsync(env, storage, () => [storage.WriteStateAsync(StateName, id, a), storage.WriteStateAsync(StateName, id, b)]);

        Assert.Equal(1, tasks.Count(t => t.IsCompletedSuccessfully));
        Assert.IsType<InconsistentStateException>(Assert.Single(tasks, t => t.IsFaulted).Exception!.InnerException);
        var read = NewState();
        await storage.ReadStateAsync(StateName, id, read);
        Assert.Equal("2", read.ETag);
        Assert.Equal(tasks[0].IsCompletedSuccessfully ? "a" : "b", read.State!.Value);
    }

    private static GrainState<RowCarrierState> Carrier(string? value = null, params (string Village, ResidentSummary Summary)[] rows)
    {
        var state = new RowCarrierState { Value = value };
        foreach (var (village, summary) in rows) state.Rows.Add(new(village, summary));
        return new(state);
    }

    private static ResidentSummary Row(string resident, long version, bool removed = false) =>
        new(resident, version, "名" + resident, "4112**********123X", "h-" + resident, Sanmenxia.HealthCode.HealthCodeState.NotApplied, 0, Removed: removed);

    private static async Task<long?> RowVersionAsync(StorageSilo env, string village, string resident)
    {
        await using var connection = new NpgsqlConnection(env.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM village_resident WHERE village_code = $1 AND resident_key = $2", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = village });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = resident });
        return await command.ExecuteScalarAsync() is long version ? version : null;
    }

    // ---- helpers ----

    private static GrainState<PgProbeState> NewState(string? value = null) => new(new PgProbeState { Value = value });

    private static GrainId IntegerId(long key, string? extension = null) =>
        GrainId.Create(GrainType.Create("probe"), GrainIdKeyExtensions.CreateIntegerKey(key, extension));

    private static GrainId GuidId(Guid key, string? extension = null) =>
        GrainId.Create(GrainType.Create("probe"), GrainIdKeyExtensions.CreateGuidKey(key, extension));

    private static async Task<bool> Outcome(Task write)
    {
        try { await write; return true; }
        catch (InconsistentStateException) { return false; }
    }

    /// <summary>
    /// Makes the writes that <paramref name="start"/> queues land in one batch of a provider with one writer: a
    /// blocker write is queued first and held on a row lock taken by another transaction; once PostgreSQL shows the
    /// writer waiting on it, the writes are queued behind it, and the lock is released. Returns their tasks (all done).
    /// </summary>
    private static async Task<Task[]> InOneBatchAsync(StorageSilo env, BatchingGrainStorage storage, Func<IReadOnlyList<Task>> start)
    {
        var blockerId = GrainId.Create("probe", "blocker-" + Guid.NewGuid().ToString("N")[..8]);
        var blocker = NewState("blocker");
        await storage.WriteStateAsync(StateName, blockerId, blocker);

        return await PgTestSql.InOneBatchAsync(env.ConnectionString,
            RowLock("SELECT 1 FROM orleans_grain_state WHERE grain_id_extension = $1", blockerId.Key.ToString()),
            () => storage.WriteStateAsync(StateName, blockerId, blocker), LockWaiters(StorageSilo.ApplicationName), start);
    }

    /// <summary>
    /// As <see cref="InOneBatchAsync"/> for reads, which take no row locks: the table is locked instead, a blocker read
    /// waits on it, the reads are queued behind it (one reader loop), and the lock is released.
    /// </summary>
    private static async Task<Task[]> InOneReadBatchAsync(StorageSilo env, BatchingGrainStorage storage, Func<IReadOnlyList<Task>> start)
    {
        return await PgTestSql.InOneBatchAsync(env.ConnectionString, TableLock("orleans_grain_state"),
            () => storage.ReadStateAsync(StateName, GrainId.Create("probe", "read-blocker"), NewState()), LockWaiters(StorageSilo.ApplicationName), start);
    }

    /// <summary>
    /// One in-process silo (test membership) on a fresh migrated database, holding the stock ADO.NET provider
    /// (binary serializer, as the Silo host configures it) and the services a batched provider needs.
    /// </summary>
    private sealed class StorageSilo : IAsyncDisposable
    {
        private const string ConnectionStringKey = "BatchTest:ConnectionString";
        private readonly TestCluster _cluster;
        private readonly IServiceProvider _services;

        private StorageSilo(TestCluster cluster, string connectionString)
        {
            _cluster = cluster;
            ConnectionString = connectionString;
            _services = ((InProcessSiloHandle)cluster.GetActiveSilos().First()).ServiceProvider;
        }

        public string ConnectionString { get; }
        public IGrainStorage Stock => _services.GetRequiredKeyedService<IGrainStorage>("Stock");
        private string ServiceId => _services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;

        public static async Task<StorageSilo> StartAsync(PostgresFixture fixture, string database)
        {
            var connectionString = await fixture.NewMigratedDatabaseAsync(database);
            var builder = new TestClusterBuilder(1);
            builder.Options.ConfigureFileLogging = false;
            builder.Options.ServiceId = "svc-" + Guid.NewGuid().ToString("N")[..8];
            builder.Properties[ConnectionStringKey] = connectionString;
            builder.AddSiloBuilderConfigurator<Configurator>();
            var cluster = builder.Build();
            await cluster.DeployAsync();
            return new StorageSilo(cluster, connectionString);
        }

        /// <summary>application_name of the batched storage's connections, so a test can find them in pg_stat_activity.</summary>
        public const string ApplicationName = "sanmenxia-batched-test";

        private readonly List<NpgsqlDataSource> _dataSources = [];

        /// <summary>The data source (connection pool) of the storage <see cref="NewBatched"/> made last.</summary>
        public NpgsqlDataSource LastDataSource => _dataSources[^1];

        public BatchingGrainStorage NewBatched(BatchingGrainStorageOptions? options = null)
        {
            var builder = new NpgsqlDataSourceBuilder(ConnectionString);
            builder.ConnectionStringBuilder.ApplicationName = ApplicationName;
            builder.ConnectionStringBuilder.MaxAutoPrepare = 8;
            var db = builder.Build();
            _dataSources.Add(db);
            return new BatchingGrainStorage("Batched", ServiceId, options ?? new BatchingGrainStorageOptions(), db,
                new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
                _services.GetRequiredService<IActivatorProvider>(), new VillageResidentRows(_services.GetRequiredService<Serializer<ResidentSummary>>()),
                NullLogger<BatchingGrainStorage>.Instance);
        }

        /// <summary>A village_resident row written directly (payload irrelevant to the test), as another writer's.</summary>
        public async Task InsertRowAsync(string village, string resident, long version)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("INSERT INTO village_resident (village_code, resident_key, version, payload) VALUES ($1, $2, $3, '\\x00')", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = village });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = resident });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
            await command.ExecuteNonQueryAsync();
        }

        /// <summary>The village's rows as the PostgreSQL roster loads them (so the storage's row format is the roster's).</summary>
        public async Task<IReadOnlyList<ResidentSummary>> LoadRosterAsync(string village)
        {
            var db = NpgsqlDataSource.Create(ConnectionString);
            _dataSources.Add(db);
            await using var roster = new PostgresVillageRoster(db, _services.GetRequiredService<Serializer<ResidentSummary>>(),
                NullLogger<PostgresVillageRoster>.Instance);
            return await roster.LoadAsync(village);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var db in _dataSources) await db.DisposeAsync();
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }

        private sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder silo)
            {
                var connectionString = silo.Configuration[ConnectionStringKey];
                silo.AddAdoNetGrainStorage("Stock", (OptionsBuilder<AdoNetGrainStorageOptions> ob) => ob.Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = PostgresOptions.Invariant;
                    o.ConnectionString = connectionString;
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
            }
        }
    }
}
