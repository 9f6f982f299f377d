using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sanmenxia.Persistence;
using Sanmenxia.Platform.Stores;
using static Sanmenxia.IntegrationTests.Postgres.PgTestSql;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// The audit trail in a real PostgreSQL (migration 0012): append-only for the application's own connection (here the
/// server's superuser, as the local cluster's application user is), written by a role that may only insert, and read by
/// the audit reader's keyset pages and filters.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditTrailPostgresTests(PostgresFixture fixture)
{
    [Fact]
    public async Task The_applications_connection_can_neither_update_nor_delete_nor_truncate_the_trail()
    {
        var connectionString = await fixture.NewMigratedDatabaseAsync("audit_append_only");
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using (var log = new PostgresAuditLog(db, NullLogger<PostgresAuditLog>.Instance))
            for (var i = 0; i < 3; i++)
                await log.RecordAsync(new AuditEntry(DateTimeOffset.UtcNow, "staff-a", "village", "resident.read", "rk-1", "411202001001", null));

        foreach (var sql in new[] { "update audit_log set action = 'nothing.happened'", "delete from audit_log", "delete from audit_log where id = 1", "truncate audit_log" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connectionString, sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            Assert.Contains("append-only", refused.MessageText);
        }
        Assert.Equal(3L, await ScalarAsync<long>(connectionString, "select count(*) from audit_log where action = 'resident.read'"));

        // The writer role may insert and nothing else; the application's user is a member of it (it writes as it).
        Assert.True(await ScalarAsync<bool>(connectionString, $"select has_table_privilege('{PostgresAuditLog.WriterRole}', 'audit_log', 'INSERT')"));
        foreach (var privilege in new[] { "UPDATE", "DELETE", "TRUNCATE" })
            Assert.False(await ScalarAsync<bool>(connectionString, $"select has_table_privilege('{PostgresAuditLog.WriterRole}', 'audit_log', '{privilege}')"));
        Assert.True(await ScalarAsync<bool>(connectionString, $"select pg_has_role(current_user, '{PostgresAuditLog.WriterRole}', 'MEMBER')"));
        // As the writer role, a change is refused by privileges before the trigger is reached.
        var asWriter = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync(connectionString, $"set role {PostgresAuditLog.WriterRole}; delete from audit_log"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, asWriter.SqlState);
        Assert.Contains("permission denied", asWriter.MessageText);
    }

    [Fact]
    public async Task The_reader_pages_by_cursor_without_gaps_or_repeats_and_filters_on_the_indexes()
    {
        var connectionString = await fixture.NewMigratedDatabaseAsync("audit_reader");
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var log = new PostgresAuditLog(db, NullLogger<PostgresAuditLog>.Instance);
        // In the city's offset, as the reader's page sends its bounds (Npgsql itself takes UTC only).
        var start = new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8));
        // 250 entries, many sharing a time (the cursor's id breaks the tie), over three actors, two villages and two subjects.
        await Task.WhenAll(Enumerable.Range(0, 250).Select(i => log.RecordAsync(new AuditEntry(start.AddSeconds(i / 5), $"staff-{i % 3}", "village",
            i % 50 == 0 ? AuditActions.BreakGlassOpen : "resident.read", $"rk-{i % 2}", i % 2 == 0 ? "411202001001" : "411203001001", $"n={i}"))));

        var seen = new List<AuditRecord>();
        AuditCursor? after = null;
        do
        {
            var page = await log.SearchAsync(new AuditSearch(After: after, Take: 100));
            seen.AddRange(page.Items);
            after = page.Next;
        } while (after is not null);
        Assert.Equal(250, seen.Count);
        Assert.Equal(250, seen.Select(r => r.Id).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(r => r.Entry.At).ThenByDescending(r => r.Id).Select(r => r.Id), seen.Select(r => r.Id));

        var bySubject = await log.SearchAsync(new AuditSearch(SubjectKey: "rk-1", Take: 1000));
        Assert.Equal(125, bySubject.Items.Count);
        Assert.All(bySubject.Items, r => Assert.Equal("rk-1", r.Entry.SubjectKey));
        var byActorAndTime = await log.SearchAsync(new AuditSearch(ActorId: "staff-0", From: start.AddSeconds(10), To: start.AddSeconds(20), Take: 1000));
        Assert.Equal(Enumerable.Range(50, 50).Count(i => i % 3 == 0), byActorAndTime.Items.Count);
        var village = await log.SearchAsync(new AuditSearch(RegionPrefix: "411203001001", Take: 1000));
        Assert.Equal(125, village.Items.Count);
        var county = await log.SearchAsync(new AuditSearch(RegionPrefix: "411202", Take: 1000));
        Assert.All(county.Items, r => Assert.StartsWith("411202", r.Entry.RegionCode));
        var breakGlass = await log.SearchAsync(new AuditSearch(BreakGlassOnly: true, Take: 1000));
        Assert.Equal(5, breakGlass.Items.Count);

        var actors = await log.ActorsOfSubjectAsync("rk-0", null);
        Assert.Equal(["staff-0", "staff-1", "staff-2"], actors.Select(a => a.ActorId).Order());
        Assert.Equal(125L, actors.Sum(a => a.Entries));
        Assert.Empty(await log.ActorsOfSubjectAsync("rk-0", "411203"));
    }

    [Fact]
    public async Task A_pooled_connection_never_keeps_the_writer_role_even_after_a_refused_batch()
    {
        // The data source does not reset connections returned to the pool (No Reset On Close): the writer's SET ROLE must
        // be undone by the writer itself, also when PostgreSQL refuses the COPY (a zero byte in a text value).
        var connectionString = await fixture.NewMigratedDatabaseAsync("audit_role_reset");
        await using var db = new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { MaxPoolSize = 1, NoResetOnClose = true } }.Build();
        await using var log = new PostgresAuditLog(db, NullLogger<PostgresAuditLog>.Instance);
        var applicationUser = await ScalarAsync<string>(connectionString, "select current_user::text");

        await log.RecordAsync(new AuditEntry(DateTimeOffset.UtcNow, "staff-a", "village", "resident.read", "rk-1", "411202001001", null));
        Assert.Equal(applicationUser, await CurrentUserOfThePooledConnectionAsync(db));

        await Assert.ThrowsAnyAsync<Exception>(() =>
            log.RecordAsync(new AuditEntry(DateTimeOffset.UtcNow, "staff-\0", "village", "resident.read", "rk-1", "411202001001", null)));
        Assert.Equal(applicationUser, await CurrentUserOfThePooledConnectionAsync(db));
        Assert.Equal(1L, await ScalarAsync<long>(connectionString, "select count(*) from audit_log"));
    }

    private static async Task<string> CurrentUserOfThePooledConnectionAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("select current_user::text");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

}
