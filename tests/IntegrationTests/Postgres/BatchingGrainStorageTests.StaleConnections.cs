using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Persistence;
using Sanmenxia.Persistence.BatchingGrainStorage;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Villages;
using static Sanmenxia.IntegrationTests.Postgres.PgTestSql;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// Pooled connections killed under the pool (what a PostgreSQL restart does to every idle connection; here
/// pg_terminate_backend, the same 57P01 admin_shutdown): the next grain write and read and the next store calls succeed
/// without an error reaching the caller, and the pool is cleared once (src/Persistence/StaleConnections.cs).
/// </summary>
public sealed partial class BatchingGrainStorageTests
{
    [Fact]
    public async Task After_the_pools_connections_are_terminated_the_next_write_read_and_store_calls_succeed_and_the_pool_is_cleared_once()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_stale");
        await using var storage = env.NewBatched(new BatchingGrainStorageOptions { WriteConcurrency = 4, ReadConcurrency = 4 });
        var db = env.LastDataSource;
        await using var history = new PostgresRegionHistory(db, NullLogger<PostgresRegionHistory>.Instance);
        await using var audit = new PostgresAuditLog(db, NullLogger<PostgresAuditLog>.Instance);

        var grains = Enumerable.Range(0, 40).Select(i => (Id: GrainId.Create("probe", $"stale-{i}"), State: NewState($"v{i}"))).ToList();
        await Task.WhenAll(grains.Select(g => storage.WriteStateAsync(StateName, g.Id, g.State)));
        await history.WriteAsync("411200", new DateOnly(2026, 12, 1), new RegionCounts());
        await FillPoolAsync(db, 4);
        var pooled = await PooledBackendsAsync(env.ConnectionString);
        Assert.True(pooled >= 2, $"expected several pooled connections before the kill, found {pooled}");

        await KillPooledBackendsAsync(env.ConnectionString);
        var clearsBefore = StaleConnections.ClearCount(db);

        // The grain write on a dead pooled connection: retried once after the clear (its version check makes that safe).
        var (id, state) = grains[0];
        state.State!.Value = "after-restart";
        await storage.WriteStateAsync(StateName, id, state);
        Assert.Equal("2", state.ETag);
        var read = NewState();
        await storage.ReadStateAsync(StateName, grains[1].Id, read);
        Assert.Equal(("v1", "1"), (read.State!.Value, read.ETag));
        // A store's read and its idempotent upsert, and the audit trail's COPY (never retried), all on fresh connections now.
        await history.WriteAsync("411200", new DateOnly(2026, 12, 2), new RegionCounts());
        Assert.Equal(2, (await history.ReadAsync("411200", new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 2))).Count);
        await audit.RecordAsync(new AuditEntry(DateTimeOffset.UtcNow, "tester", "Admin", "test.stale", null, null, null));

        Assert.Equal(1, StaleConnections.ClearCount(db) - clearsBefore);
        var stored = NewState();
        await storage.ReadStateAsync(StateName, id, stored);
        Assert.Equal(("after-restart", "2"), (stored.State!.Value, stored.ETag));
    }

    [Fact]
    public async Task A_write_that_is_not_repeatable_fails_once_on_a_dead_connection_and_the_cleared_pool_serves_the_next()
    {
        await using var env = await StorageSilo.StartAsync(fixture, "batch_stale_audit");
        await using var storage = env.NewBatched(new BatchingGrainStorageOptions { WriteConcurrency = 1, BatchReads = false });
        var db = env.LastDataSource;
        await using var audit = new PostgresAuditLog(db, NullLogger<PostgresAuditLog>.Instance);
        await FillPoolAsync(db, 2);
        Assert.True(await PooledBackendsAsync(env.ConnectionString) >= 2);

        await KillPooledBackendsAsync(env.ConnectionString);
        var clearsBefore = StaleConnections.ClearCount(db);
        var entry = new AuditEntry(DateTimeOffset.UtcNow, "tester", "Admin", "test.stale", null, null, null);

        // The audit COPY is not repeatable (a committed batch would be stored twice): its caller sees the failure ...
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => audit.RecordAsync(entry));
        // ... but the other dead idle connection is gone with the cleared pool: the next entry goes through.
        await audit.RecordAsync(entry);
        Assert.Equal(1, StaleConnections.ClearCount(db) - clearsBefore);
        Assert.Equal(1L, await ScalarAsync<long>(env.ConnectionString, "SELECT count(*) FROM audit_log WHERE action = 'test.stale'"));
    }

    /// <summary>Leaves <paramref name="count"/> idle connections in the pool (as after a burst of concurrent statements).</summary>
    private static async Task FillPoolAsync(NpgsqlDataSource db, int count)
    {
        var open = new List<NpgsqlConnection>();
        for (var i = 0; i < count; i++) open.Add(await db.OpenConnectionAsync());
        foreach (var connection in open) await connection.DisposeAsync();
    }

    [Fact]
    public void What_counts_as_a_stale_connection()
    {
        Assert.True(StaleConnections.IsStale(new PostgresException("terminating connection", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown)));
        Assert.True(StaleConnections.IsStale(new PostgresException("crash", "FATAL", "FATAL", PostgresErrorCodes.CrashShutdown)));
        Assert.True(StaleConnections.IsStale(new PostgresException("shutting down", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow)));
        Assert.True(StaleConnections.IsStale(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
        Assert.True(StaleConnections.IsStale(new NpgsqlException("Exception while writing to stream", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset))));
        // PostgreSQL down (refused), a statement's own error, a timeout: not a stale pooled connection.
        Assert.False(StaleConnections.IsStale(new NpgsqlException("Failed to connect to 127.0.0.1:1", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused))));
        Assert.False(StaleConnections.IsStale(new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.False(StaleConnections.IsStale(new NpgsqlException("Exception while reading from stream", new TimeoutException())));
    }

    private static Task<long> PooledBackendsAsync(string connectionString) => ScalarAsync<long>(connectionString,
        $"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '{StorageSilo.ApplicationName}'");

    /// <summary>Terminates the pool's backends (57P01 on each) and waits until PostgreSQL has let them go.</summary>
    private static async Task KillPooledBackendsAsync(string connectionString)
    {
        await ScalarAsync<long>(connectionString,
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '{StorageSilo.ApplicationName}'");
        await Eventually.Until(() => PooledBackendsAsync(connectionString), n => n == 0, s_deadline, "the terminated backends to exit",
            TimeSpan.FromMilliseconds(20));
    }
}
