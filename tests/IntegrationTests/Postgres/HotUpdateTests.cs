using Npgsql;
using Xunit;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// The two rows rewritten on every resident write (its grain state and its village row) are updated in place on their
/// page, as HOT updates with no index change: PostgreSQL does that only when no index refers to a column the update
/// changes, predicates included. Migration 0013's partial index on (modified_at) WHERE payload IS NULL made every grain
/// write non-HOT for seven sessions (0 of 7.1M at the city); migration 0025 dropped it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HotUpdateTests(PostgresFixture fixture)
{
    // The columns each write changes (BatchingGrainStorage.WriteSql, VillageResidentRows.UpsertCtes).
    private static readonly (string Table, string[] Columns)[] Rewritten =
    [
        ("orleans_grain_state", ["payload", "version", "modified_at"]),
        ("village_resident", ["payload", "version", "updated_at"]),
    ];

    [Fact]
    public async Task No_index_refers_to_a_column_that_every_write_changes()
    {
        var db = await fixture.NewMigratedDatabaseAsync("hot_indexes");
        foreach (var (table, columns) in Rewritten)
        {
            var definitions = await IndexDefinitionsAsync(db, table);
            Assert.NotEmpty(definitions); // the key index is there, so the check below looks at something
            var blocking = definitions.Where(d => columns.Any(c => System.Text.RegularExpressions.Regex.IsMatch(
                d[d.IndexOf(" USING ", StringComparison.Ordinal)..], $@"\b{c}\b"))).ToList();
            Assert.True(blocking.Count == 0, $"{table}: {string.Join("; ", blocking)}");
        }
    }

    [Fact]
    public async Task A_grain_state_rewrite_is_a_hot_update()
    {
        var db = await fixture.NewMigratedDatabaseAsync("hot_write");
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // pg_stat_get_xact_* counts this transaction's own updates, so nothing waits for the statistics collector.
        await using var command = new NpgsqlCommand("""
            insert into orleans_grain_state (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, grain_id_extension, payload, version)
            values (1, 2, 'hot', 3, 4, 'resident', 'r-hot', '\x01', 1);
            update orleans_grain_state set payload = '\x0102', version = version + 1, modified_at = now()
             where service_id = 'hot' and grain_id_extension = 'r-hot';
            update orleans_grain_state set payload = '\x010203', version = version + 1, modified_at = now()
             where service_id = 'hot' and grain_id_extension = 'r-hot';
            select pg_stat_get_xact_tuples_updated('orleans_grain_state'::regclass), pg_stat_get_xact_tuples_hot_updated('orleans_grain_state'::regclass);
            """, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(2L, reader.GetInt64(0));
        Assert.Equal(2L, reader.GetInt64(1));
    }

    [Fact]
    public async Task A_village_row_rewrite_is_a_hot_update_and_logs_no_row_lock()
    {
        var db = await fixture.NewMigratedDatabaseAsync("hot_village_row");
        await PgTestSql.ScalarAsync<int>(db, "create extension if not exists pg_walinspect; select 0");
        string Rewrite(int version) => "WITH " + Sanmenxia.Persistence.VillageResidentRows.UpsertCtes(
            $"(values ('v1', 'r1', {version}::bigint, '\\x0{version}'::bytea)) as t(village, resident, version, payload)", "u") + " SELECT 0";
        await PgTestSql.ScalarAsync<int>(db, Rewrite(1)); // the first write of a key inserts it
        var start = await PgTestSql.ScalarAsync<string>(db, "select pg_current_wal_lsn()::text");

        await PgTestSql.ScalarAsync<int>(db, Rewrite(2));
        await PgTestSql.ScalarAsync<int>(db, Rewrite(1)); // older: changes nothing

        var end = await PgTestSql.ScalarAsync<string>(db, "select pg_current_wal_flush_lsn()::text");
        var records = $"from pg_get_wal_records_info('{start}', '{end}') where resource_manager = 'Heap'";
        Assert.Equal(0L, await PgTestSql.ScalarAsync<long>(db, $"select count(*) {records} and record_type like 'LOCK%'"));
        Assert.Equal(1L, await PgTestSql.ScalarAsync<long>(db, $"select count(*) {records} and record_type like 'HOT_UPDATE%'"));
        Assert.Equal(2L, await PgTestSql.ScalarAsync<long>(db, "select version from village_resident where village_code = 'v1' and resident_key = 'r1'"));
    }

    [Fact]
    public async Task The_retention_sweep_walks_the_table_slice_by_slice_and_deletes_only_old_cleared_rows()
    {
        var db = await fixture.NewMigratedDatabaseAsync("hot_sweep");
        // 300 rows of ~1 kB (several pages); rows 10 and 290 cleared two days ago, row 150 cleared just now, the rest live.
        await PgTestSql.ScalarAsync<int>(db, """
            insert into orleans_grain_state (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, grain_id_extension, payload, version, modified_at)
            select i, 7, 'sweep', i, 0, 'probe', null,
                   case when i in (10, 150, 290) then null else decode(repeat('ab', 1000), 'hex') end, 1,
                   case when i in (10, 290) then now() - interval '2 days' else now() end
              from generate_series(1, 300) i;
            select 0
            """);
        var tablePages = await PgTestSql.ScalarAsync<long>(db, "select pg_relation_size('orleans_grain_state') / 8192");
        Assert.True(tablePages >= 10, $"{tablePages} pages: too few to walk in slices");
        await using var source = NpgsqlDataSource.Create(db);
        var store = new Sanmenxia.Persistence.PostgresRetentionStore(source);

        var (deleted, statements) = (0, 0);
        for (long? page = 0; page is { } from; statements++)
        {
            var slice = await store.DeleteClearedGrainStateAsync(DateTimeOffset.UtcNow.AddDays(-1), from, pages: 3);
            deleted += slice.Deleted;
            page = slice.NextPage;
        }

        Assert.Equal(2, deleted);
        Assert.Equal((int)Math.Ceiling(tablePages / 3.0), statements);
        Assert.Equal(298L, await PgTestSql.ScalarAsync<long>(db, "select count(*) from orleans_grain_state where service_id = 'sweep'"));
        Assert.Equal(1L, await PgTestSql.ScalarAsync<long>(db, "select count(*) from orleans_grain_state where service_id = 'sweep' and payload is null"));
    }

    private static async Task<List<string>> IndexDefinitionsAsync(string db, string table)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select pg_get_indexdef(indexrelid) from pg_index where indrelid = $1::regclass", connection);
        command.Parameters.AddWithValue(table);
        var definitions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) definitions.Add(reader.GetString(0));
        return definitions;
    }
}
