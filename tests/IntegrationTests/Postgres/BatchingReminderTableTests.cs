using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.TestingHost;
using Sanmenxia.IntegrationTests.Cluster;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Persistence.Reminders;
using Sanmenxia.Platform.Options;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;
using static Sanmenxia.IntegrationTests.Postgres.PgTestSql;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// The group-commit reminder table (src/Persistence/Reminders) against a real PostgreSQL: the IReminderTable contract
/// (ETags, stale removes, ring range reads with wrap-around), batching with per-caller ETags, a PostgreSQL restart under
/// a pooled connection, interchangeability with the stock ADO.NET reminder provider, and reminders firing in a silo.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchingReminderTableTests(PostgresFixture fixture)
{
    private const string ApplicationName = "sanmenxia-reminder-test";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);
    private static readonly DateTime s_start = new(2026, 3, 1, 16, 5, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Every_upsert_returns_a_new_etag_and_reads_return_the_row()
    {
        await using var env = await Env.StartAsync(fixture, "rem_roundtrip");
        var grain = GrainId.Create("probe", "round-trip");

        Assert.Null(await env.Table.ReadRow(grain, "day-close"));
        Assert.Equal("0", await env.Table.UpsertRow(Entry(grain, "day-close", TimeSpan.FromDays(1))));
        Assert.Equal("1", await env.Table.UpsertRow(Entry(grain, "day-close", TimeSpan.FromHours(2))));
        Assert.Equal("0", await env.Table.UpsertRow(Entry(grain, "other", TimeSpan.FromMinutes(5))));

        var row = await env.Table.ReadRow(grain, "day-close");
        Assert.NotNull(row);
        Assert.Equal((grain, "day-close", s_start, DateTimeKind.Utc, TimeSpan.FromHours(2), "1"),
            (row.GrainId, row.ReminderName, row.StartAt, row.StartAt.Kind, row.Period, row.ETag));
        var rows = await env.Table.ReadRows(grain);
        Assert.Equal(["day-close", "other"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.Empty((await env.Table.ReadRows(GrainId.Create("probe", "nobody"))).Reminders);
    }

    [Fact]
    public async Task A_remove_with_a_stale_etag_fails_and_with_the_current_one_succeeds()
    {
        await using var env = await Env.StartAsync(fixture, "rem_remove");
        var grain = GrainId.Create("probe", "remove-me");
        var first = await env.Table.UpsertRow(Entry(grain, "r", TimeSpan.FromMinutes(1)));
        var second = await env.Table.UpsertRow(Entry(grain, "r", TimeSpan.FromMinutes(1)));

        Assert.False(await env.Table.RemoveRow(grain, "r", first!));
        Assert.False(await env.Table.RemoveRow(grain, "r", "not-a-version"));
        Assert.NotNull(await env.Table.ReadRow(grain, "r"));
        Assert.True(await env.Table.RemoveRow(grain, "r", second!));
        Assert.Null(await env.Table.ReadRow(grain, "r"));
        Assert.False(await env.Table.RemoveRow(grain, "r", second!));
    }

    [Fact]
    public async Task Range_reads_are_begin_exclusive_end_inclusive_and_wrap_around_the_ring()
    {
        await using var env = await Env.StartAsync(fixture, "rem_ranges");
        var grains = Enumerable.Range(0, 200).Select(i => GrainId.Create("probe", $"ring-{i}")).ToArray();
        await Task.WhenAll(grains.Select(g => env.Table.UpsertRow(Entry(g, "r", TimeSpan.FromMinutes(1)))));
        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToArray();
        // Bounds on stored hashes test exclusivity and inclusivity; the others cross the signed/unsigned boundary both ways.
        (uint Begin, uint End)[] ranges =
        [
            (0, uint.MaxValue), (0x4000_0000, 0xC000_0000), (0xC000_0000, 0x4000_0000), (0x1000_0000, 0x7000_0000),
            (0x9000_0000, 0xF000_0000), (hashes[20], hashes[120]), (hashes[150], hashes[30]), (hashes[77], hashes[77]), (0, 0),
        ];
        foreach (var (begin, end) in ranges)
        {
            var expected = grains.Where(g => InRange(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order().ToList();
            var read = (await env.Table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.ToString()).Order().ToList();
            Assert.True(expected.SequenceEqual(read), $"range ({begin:X8}, {end:X8}]: expected {expected.Count}, read {read.Count}");
        }
        Assert.Equal(120 - 20, (await env.Table.ReadRows(hashes[20], hashes[120])).Reminders.Count);
        Assert.Equal(200, (await env.Table.ReadRows(hashes[77], hashes[77])).Reminders.Count);

        static bool InRange(uint h, uint begin, uint end) => begin < end ? h > begin && h <= end : h > begin || h <= end;
    }

    [Fact]
    public async Task Concurrent_upserts_of_many_grains_are_batched_and_each_gets_its_own_etag()
    {
        await using var env = await Env.StartAsync(fixture, "rem_batched", new BatchingReminderTableOptions { WriteConcurrency = 1 });
        var grains = Enumerable.Range(0, 500).Select(i => GrainId.Create("resident", $"r{i}")).ToArray();

        var created = await Task.WhenAll(grains.Select(g => env.Table.UpsertRow(Entry(g, "day-close", TimeSpan.FromDays(1)))));
        Assert.All(created, etag => Assert.Equal("0", etag));
        var updated = await Task.WhenAll(grains.Select(g => env.Table.UpsertRow(Entry(g, "day-close", TimeSpan.FromHours(12)))));
        Assert.All(updated, etag => Assert.Equal("1", etag));

        Assert.Equal(1000, env.Table.Statistics.Upserts);
        Assert.True(env.Table.Statistics.Statements < 1000 / 4, $"expected batches, got {env.Table.Statistics}");
        Assert.Equal(500L, await ScalarAsync<long>(env.ConnectionString,
            "SELECT count(*) FROM orleans_reminder WHERE version = 1 AND period_ms = 43200000 AND start_time = '2026-03-01 16:05:00+00'"));
    }

    [Fact]
    public async Task Upserts_of_the_same_reminder_in_one_statement_get_the_etags_of_running_one_after_the_other()
    {
        await using var env = await Env.StartAsync(fixture, "rem_same_key", new BatchingReminderTableOptions { WriteConcurrency = 1 });
        var same = GrainId.Create("probe", "same");
        var other = GrainId.Create("probe", "other");
        Assert.Equal("0", await env.Table.UpsertRow(Entry(same, "r", TimeSpan.FromMinutes(1))));

        var tasks = await InOneBatchAsync(env, () =>
        [
            env.Table.UpsertRow(Entry(same, "r", TimeSpan.FromMinutes(2))),
            env.Table.UpsertRow(Entry(other, "r", TimeSpan.FromMinutes(9))),
            env.Table.UpsertRow(Entry(same, "r", TimeSpan.FromMinutes(3))),
            env.Table.UpsertRow(Entry(same, "r", TimeSpan.FromMinutes(4))),
        ]);

        Assert.Equal(["1", "0", "2", "3"], tasks.Select(t => t.Result));
        Assert.Equal(4, env.Table.Statistics.LargestBatch);
        var row = await env.Table.ReadRow(same, "r");
        Assert.Equal((TimeSpan.FromMinutes(4), "3"), (row!.Period, row.ETag));
        Assert.True(await env.Table.RemoveRow(same, "r", "3"));
    }

    [Fact]
    public async Task An_upsert_on_a_pooled_connection_dropped_by_a_PostgreSQL_restart_is_retried_and_succeeds()
    {
        await using var env = await Env.StartAsync(fixture, "rem_restart");
        var grain = GrainId.Create("probe", "restart");
        Assert.Equal("0", await env.Table.UpsertRow(Entry(grain, "r", TimeSpan.FromMinutes(1))));

        await fixture.Server.RestartAsync(); // the pool still holds the connection the first upsert used

        Assert.Equal("1", await env.Table.UpsertRow(Entry(grain, "r", TimeSpan.FromMinutes(2))));
        Assert.Equal("1", (await env.Table.ReadRow(grain, "r"))?.ETag);
        Assert.True(env.Table.Statistics.Retries >= 1, env.Table.Statistics.ToString());
    }

    [Fact]
    public async Task The_stock_provider_and_the_batched_table_read_and_remove_each_others_rows()
    {
        var connectionString = await fixture.NewMigratedDatabaseAsync("rem_interop");
        var serviceId = "svc-" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = await PgOrleansCluster.StartAsync(connectionString, serviceId, "c-" + Guid.NewGuid().ToString("N")[..8], silos: 1);
        var stock = ((InProcessSiloHandle)cluster.GetActiveSilos().First()).ServiceProvider.GetRequiredService<IReminderTable>();
        Assert.IsNotType<BatchingReminderTable>(stock);
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var ours = new BatchingReminderTable(serviceId, new BatchingReminderTableOptions(), db, NullLogger<BatchingReminderTable>.Instance);
        var grains = Enumerable.Range(0, 20).Select(i => GrainId.Create("resident", $"interop-{i}")).ToArray();

        foreach (var grain in grains)
        {
            // ours inserts, stock reads and updates, ours reads; a stale remove fails both ways; the current one works.
            var etag0 = await ours.UpsertRow(Entry(grain, "day-close", TimeSpan.FromDays(1)));
            var seenByStock = await stock.ReadRow(grain, "day-close");
            Assert.Equal((etag0, s_start, TimeSpan.FromDays(1)), (seenByStock?.ETag, seenByStock?.StartAt.ToUniversalTime(), seenByStock?.Period));
            var etag1 = await stock.UpsertRow(Entry(grain, "day-close", TimeSpan.FromHours(6)));
            Assert.Equal("1", etag1);
            Assert.Equal((etag1, TimeSpan.FromHours(6)), ((await ours.ReadRow(grain, "day-close"))?.ETag, (await ours.ReadRow(grain, "day-close"))?.Period));
            Assert.False(await stock.RemoveRow(grain, "day-close", etag0!));
            Assert.False(await ours.RemoveRow(grain, "day-close", etag0!));
        }
        Assert.True(await ours.RemoveRow(grains[0], "day-close", "1"));
        Assert.Null(await stock.ReadRow(grains[0], "day-close"));
        Assert.Equal("2", await ours.UpsertRow(Entry(grains[1], "day-close", TimeSpan.FromDays(1))));
        Assert.True(await stock.RemoveRow(grains[1], "day-close", "2"));

        // Both read the same rows for the same ring ranges, wrapped or not.
        foreach (var (begin, end) in new (uint, uint)[] { (0x2000_0000, 0xA000_0000), (0xA000_0000, 0x2000_0000), (5, 5) })
        {
            var a = (await ours.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.ToString()).Order();
            var b = (await stock.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.ToString()).Order();
            Assert.Equal(b, a);
        }
        Assert.Equal(18, (await ours.ReadRows(0u, 0u)).Reminders.Count);
    }

    [Fact]
    public async Task A_reminder_registered_through_silos_on_the_batched_table_fires_and_is_removed()
    {
        var db = await fixture.NewMigratedDatabaseAsync("rem_silo");
        var serviceId = "svc-" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = await PgOrleansCluster.StartAsync(db, serviceId, "c-" + Guid.NewGuid().ToString("N")[..8],
            reminders: ReminderTableMode.Batched);
        Assert.All(cluster.GetActiveSilos(), s => Assert.IsType<BatchingReminderTable>(
            ((InProcessSiloHandle)s).ServiceProvider.GetRequiredService<IReminderTable>()));
        var grain = cluster.Client.GetGrain<IPgProbeGrain>("reminder-batched");

        await grain.StartReminder(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        Assert.Equal(1L, await ScalarAsync<long>(db,
            $"SELECT count(*) FROM orleans_reminder WHERE service_id = '{serviceId}' AND reminder_name = '{PgProbeGrain.ReminderName}' AND period_ms = 2000"));
        await Eventually.Until(grain.GetTicks, ticks => ticks >= 1, s_deadline, "the reminder on the batched table to tick");
        await grain.StopReminder();
        Assert.Equal(0L, await ScalarAsync<long>(db, $"SELECT count(*) FROM orleans_reminder WHERE service_id = '{serviceId}'"));
    }

    [Fact]
    public async Task The_switch_selects_either_table_a_village_registers_its_day_roll_and_an_application_no_reminder()
    {
        var connectionString = await fixture.NewMigratedDatabaseAsync("rem_switch");
        var clusterId = "rem-" + Guid.NewGuid().ToString("N")[..8];
        var village = SanmenxiaRegions.GenerateSyntheticTree(2020, 12).First(r => r.Level == RegionLevel.Village);
        var residentKey = "r" + Guid.NewGuid().ToString("N")[..26];

        await using (var batched = await SanmenxiaHost.StartAsync(connectionString, clusterId)) // Batched is the default
        {
            Assert.IsType<BatchingReminderTable>(batched.Services.GetRequiredService<IReminderTable>());
            await batched.Grains.GetGrain<IVillageGrain>(village.Code.Value).DefineAsync(village);
            var id = Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1981, 6, 2), 321).Value;
            Assert.Equal(RegistrationOutcome.Created, await batched.Grains.GetGrain<IResidentGrain>(residentKey).RegisterAsync(
                new ResidentRegistration(id, "李提醒", "13700003333", village.Code.Value, "h-rem", Actor.Staff("test", "admin"))));
            Assert.True((await batched.Grains.GetGrain<IResidentGrain>(residentKey).ApplyAsync(36.6m, true, Actor.Self(residentKey))).Accepted);
            Assert.Equal(1L, await ScalarAsync<long>(connectionString,
                $"SELECT count(*) FROM orleans_reminder WHERE reminder_name = 'day-roll' AND grain_id = 'village/{village.Code.Value}'"));
            // The resident's days are closed by its village (docs/reminders.md §0): an application registers no reminder.
            Assert.Equal(0L, await ScalarAsync<long>(connectionString, $"SELECT count(*) FROM orleans_reminder WHERE grain_id LIKE '%{residentKey}'"));
        }

        await using var stock = await SanmenxiaHost.StartAsync(connectionString, clusterId, new Dictionary<string, string?> { ["Orleans:ReminderTable"] = "AdoNet" });
        Assert.IsNotType<BatchingReminderTable>(stock.Services.GetRequiredService<IReminderTable>());
        var rows = await stock.Services.GetRequiredService<IReminderTable>().ReadRows(0u, 0u);
        Assert.Contains(rows.Reminders, r => r.ReminderName == "day-roll" && r.GrainId.Key.ToString() == village.Code.Value);
    }

    // ---- helpers ----

    private static ReminderEntry Entry(GrainId grain, string name, TimeSpan period) =>
        new() { GrainId = grain, ReminderName = name, StartAt = s_start, Period = period };

    /// <summary>
    /// Makes the upserts that <paramref name="start"/> queues land in one statement of a table with one writer: a blocker
    /// upsert is held on a row lock taken by another transaction; once PostgreSQL shows the writer waiting on it, the
    /// upserts are queued behind it and the lock is released. Returns their tasks (all done).
    /// </summary>
    private static async Task<Task<string?>[]> InOneBatchAsync(Env env, Func<IReadOnlyList<Task<string?>>> start)
    {
        var blocker = GrainId.Create("probe", "blocker-" + Guid.NewGuid().ToString("N")[..8]);
        await env.Table.UpsertRow(Entry(blocker, "b", TimeSpan.FromMinutes(1)));
        return await PgTestSql.InOneBatchAsync(env.ConnectionString,
            RowLock("SELECT 1 FROM orleans_reminder WHERE grain_id = $1", blocker.ToString()),
            () => env.Table.UpsertRow(Entry(blocker, "b", TimeSpan.FromMinutes(1))), LockWaiters(ApplicationName), start);
    }

    /// <summary>A fresh migrated database and a batched table on it (its own data source, named for pg_stat_activity).</summary>
    private sealed class Env : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _db;

        private Env(string connectionString, NpgsqlDataSource db, BatchingReminderTable table) =>
            (ConnectionString, _db, Table) = (connectionString, db, table);

        public string ConnectionString { get; }
        public BatchingReminderTable Table { get; }

        public static async Task<Env> StartAsync(PostgresFixture fixture, string database, BatchingReminderTableOptions? options = null)
        {
            var connectionString = await fixture.NewMigratedDatabaseAsync(database);
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConnectionStringBuilder.ApplicationName = ApplicationName;
            builder.ConnectionStringBuilder.MaxAutoPrepare = 8;
            var db = builder.Build();
            var table = new BatchingReminderTable("svc-" + Guid.NewGuid().ToString("N")[..8], options ?? new BatchingReminderTableOptions(), db,
                NullLogger<BatchingReminderTable>.Instance);
            return new Env(connectionString, db, table);
        }

        public async ValueTask DisposeAsync()
        {
            await Table.DisposeAsync();
            await _db.DisposeAsync();
        }
    }
}
