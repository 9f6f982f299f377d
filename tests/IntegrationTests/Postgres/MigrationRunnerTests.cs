using Npgsql;
using Sanmenxia.Persistence;
using Xunit;

namespace Sanmenxia.IntegrationTests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class MigrationRunnerTests(PostgresFixture fixture)
{
    [Fact]
    public void Embedded_migrations_are_numbered_in_order()
    {
        var versions = MigrationRunner.Migrations.Select(m => m.Version).ToArray();
        // 1–8 came first; later numbers are handed out per change (parallel work), so a gap is allowed, never a repeat or a step back.
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], versions.Take(8));
        Assert.True(versions.Zip(versions.Skip(1)).All(p => p.First < p.Second), string.Join(",", versions));
        Assert.Contains(13, versions); // retention (docs/data-governance.md)
        Assert.Contains(12, versions); // the append-only audit trail
        Assert.Contains(14, versions); // signing keys and offline passes (issue 18)
        Assert.All(MigrationRunner.Migrations, m => Assert.Matches("^[0-9a-f]{64}$", m.Checksum));
    }

    [Fact]
    public async Task Fresh_database_gets_every_script_once_and_a_second_run_applies_nothing()
    {
        var db = await fixture.NewDatabaseAsync("mig_fresh");

        var first = await MigrationRunner.ApplyAsync(db);
        var second = await MigrationRunner.ApplyAsync(db);

        Assert.Equal(MigrationRunner.Migrations.Select(m => m.Name), first);
        Assert.Empty(second);
        Assert.Equal(MigrationRunner.Migrations.Count, await ScalarAsync<long>(db, $"SELECT count(*) FROM {MigrationRunner.HistoryTable}"));
        // The tables and the query contract are there.
        foreach (var table in new[] { "orleansquery", "orleans_membership", "orleans_membership_version", "orleans_grain_state", "orleans_reminder", "audit_log", "checkpoint_passes", "region_daily", "village_resident", "tickets" })
        {
            Assert.True(await ScalarAsync<bool>(db, $"SELECT to_regclass('{table}') IS NOT NULL"), table);
        }
        Assert.Equal(20, await ScalarAsync<long>(db, "SELECT count(*) FROM orleansquery"));
    }

    [Fact]
    public async Task Scripts_are_idempotent_when_run_again_by_hand()
    {
        var db = await fixture.NewMigratedDatabaseAsync("mig_rerun");
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        foreach (var migration in MigrationRunner.Migrations)
        {
            await using var command = new NpgsqlCommand(migration.Sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        Assert.Equal(20, await ScalarAsync<long>(db, "SELECT count(*) FROM orleansquery"));
    }

    [Fact]
    public async Task Concurrent_runners_apply_each_script_exactly_once()
    {
        var db = await fixture.NewDatabaseAsync("mig_race");

        // Start together so they really contend for the lock.
        using var gate = new ManualResetEventSlim();
        var runs = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            return await MigrationRunner.ApplyAsync(db);
        })).ToArray();
        gate.Set();
        var results = await Task.WhenAll(runs);

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(MigrationRunner.Migrations.Select(m => m.Name).Order(), all.Order());
        Assert.Equal(MigrationRunner.Migrations.Count, await ScalarAsync<long>(db, $"SELECT count(*) FROM {MigrationRunner.HistoryTable}"));
    }

    [Fact]
    public async Task An_applied_script_whose_checksum_changed_is_refused()
    {
        var db = await fixture.NewMigratedDatabaseAsync("mig_tamper");
        // Same effect as editing 0002 after it shipped.
        await ExecuteAsync(db, $"UPDATE {MigrationRunner.HistoryTable} SET checksum = 'edited' WHERE version = 2");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => MigrationRunner.ApplyAsync(db));

        Assert.Contains("0002_orleans_grain_storage", error.Message);
        Assert.Contains("never be edited", error.Message);
    }

    [Fact]
    public async Task EnsureDatabase_creates_once_and_then_reports_existing()
    {
        var db = fixture.Server.ConnectionStringFor("ensure_db_probe");

        Assert.True(await MigrationRunner.EnsureDatabaseAsync(db));
        Assert.False(await MigrationRunner.EnsureDatabaseAsync(db));
        Assert.Equal(1, await ScalarAsync<int>(db, "SELECT 1"));
    }

    [Fact]
    public async Task Committed_rows_survive_a_PostgreSQL_restart()
    {
        var db = await fixture.NewMigratedDatabaseAsync("pg_restart");
        await ExecuteAsync(db, """
            INSERT INTO audit_log (actor_id, actor_role, action, subject_key, region_code, detail)
            VALUES ('op1', 'village', 'clock-in.corrected', 'k:3f9a', '411202001', '{"reason":"test"}')
            """);

        await fixture.Server.RestartAsync();

        Assert.Equal("clock-in.corrected", await ScalarAsync<string>(db, "SELECT action FROM audit_log WHERE subject_key = 'k:3f9a'"));
    }

    internal static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
