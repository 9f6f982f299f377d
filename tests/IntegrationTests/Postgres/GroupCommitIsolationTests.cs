using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sanmenxia.Checkpoints;
using Sanmenxia.Platform.Stores;
using Sanmenxia.HealthCode;
using Sanmenxia.Persistence;
using static Sanmenxia.IntegrationTests.Postgres.PgTestSql;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// The group-commit writers of the project's own tables (src/Persistence/GroupCommitQueue.cs) against a real PostgreSQL:
/// one item whose text PostgreSQL refuses (a zero byte) fails its own caller only; the others in its batch are written.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GroupCommitIsolationTests(PostgresFixture fixture)
{
    [Fact]
    public async Task An_audit_entry_postgres_refuses_fails_alone_and_the_rest_of_its_batch_is_written()
    {
        var connectionString = await fixture.NewMigratedDatabaseAsync("audit_isolation");
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var log = new PostgresAuditLog(db, NullLogger<PostgresAuditLog>.Instance);
        static AuditEntry Entry(string detail) => new(DateTimeOffset.UtcNow, "staff-a", "village", "resident.fever.cleared", "rk", "411202001001", detail);

        var tasks = await InOneBatchAsync(connectionString, "audit_log", () => log.RecordAsync(Entry("blocker")),
            () => [.. Enumerable.Range(0, 20).Select(i => log.RecordAsync(Entry($"checked {i}"))), log.RecordAsync(Entry("zero \0 byte"))]);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => tasks[^1]);
        Assert.All(tasks[..^1], t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.InnerException?.Message));
        Assert.Equal(21L, await ScalarAsync<long>(connectionString, "select count(*) from audit_log"));
    }

    [Fact]
    public async Task A_pass_postgres_refuses_fails_alone_and_other_checkpoints_passes_in_its_batch_are_written()
    {
        var connectionString = await fixture.NewMigratedDatabaseAsync("pass_isolation");
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var store = new PostgresPassStore(db, NullLogger<PostgresPassStore>.Instance);
        static PassRecord Pass(string checkpoint, string maskedName) => new(Guid.NewGuid(), checkpoint, "411202001", "rk-" + Guid.NewGuid().ToString("N")[..8],
            maskedName, PassDirection.In, DateTimeOffset.UtcNow, CodeColour.Green, PassOutcome.Allowed, "green", "staff-a", PassMethod.Qr);

        var tasks = await InOneBatchAsync(connectionString, "checkpoint_passes", () => store.AppendAsync(Pass("cp-blocker", "张*")),
            () => [store.AppendAsync(Pass("cp-bad", "张\0")), .. Enumerable.Range(0, 20).Select(i => store.AppendAsync(Pass($"cp-{i}", "李*")))]);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => tasks[0]);
        Assert.All(tasks[1..], t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.InnerException?.Message));
        Assert.Equal(21L, await ScalarAsync<long>(connectionString, "select count(*) from checkpoint_passes"));
    }

    /// <summary>
    /// Makes the items <paramref name="start"/> queues land in one batch: the table is locked by another transaction, a
    /// blocker item's COPY waits on it (the queue's one writer is busy), the items queue behind it, the lock is released.
    /// </summary>
    private static Task<Task[]> InOneBatchAsync(string connectionString, string table, Func<Task> blocker, Func<IReadOnlyList<Task>> start) =>
        PgTestSql.InOneBatchAsync(connectionString, TableLock(table), blocker,
            $"select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'copy {table}%'", start);
}
