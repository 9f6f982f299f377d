using Npgsql;
using NpgsqlTypes;
using Xunit;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// Checks on the SQL behind OrleansQuery keys that a running cluster does not reliably reach
/// (wrapped hash ranges, index use).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QueryContractTests(PostgresFixture fixture)
{
    [Fact]
    public async Task Reminder_range_queries_split_the_ring_without_gaps_or_overlaps()
    {
        var db = await fixture.NewMigratedDatabaseAsync("qc_ranges");
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        int[] hashes = [int.MinValue, -1000, -1, 0, 1, 1000, int.MaxValue];
        foreach (var hash in hashes)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO orleans_reminder VALUES ('svc', $1, 'r', now(), 60000, $2, 0), ('other', $1, 'r', now(), 60000, $2, 0)", connection);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"probe/{hash}" });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = hash });
            await insert.ExecuteNonQueryAsync();
        }

        // Orleans uses Rows1 when (int)begin < (int)end, else Rows2 (the range wraps past int.MaxValue).
        Assert.Equal(["probe/0", "probe/1", "probe/1000"], await RangeAsync(connection, "ReadRangeRows1Key", -1, 1000));
        Assert.Equal(["probe/-1000", "probe/-2147483648", "probe/2147483647"], await RangeAsync(connection, "ReadRangeRows2Key", 1000, -1000));
        // begin == end is the whole ring: every row of this service, once.
        Assert.Equal(hashes.Length, (await RangeAsync(connection, "ReadRangeRows2Key", 5, 5)).Count);
    }

    [Fact]
    public async Task Reminder_range_reads_can_use_the_hash_index()
    {
        var db = await fixture.NewMigratedDatabaseAsync("qc_plan");
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        // The table is empty, so make the planner show what it can do rather than what is cheapest now.
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        foreach (var key in new[] { "ReadRangeRows1Key", "ReadRangeRows2Key" })
        {
            var plan = string.Join('\n', await ReadColumnAsync(connection, "EXPLAIN " + await QueryTextAsync(connection, key),
                cmd => AddRangeParameters(cmd, 0, 100)));
            Assert.Contains("orleans_reminder_by_hash", plan);
        }
    }

    private static async Task<List<string>> RangeAsync(NpgsqlConnection connection, string key, int begin, int end)
    {
        var rows = await ReadColumnAsync(connection, await QueryTextAsync(connection, key), cmd => AddRangeParameters(cmd, begin, end));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    // Same shape as the provider: named parameters, ServiceId as text, hashes as int.
    private static void AddRangeParameters(NpgsqlCommand command, int begin, int end)
    {
        command.Parameters.AddWithValue("ServiceId", NpgsqlDbType.Text, "svc");
        command.Parameters.AddWithValue("BeginHash", NpgsqlDbType.Integer, begin);
        command.Parameters.AddWithValue("EndHash", NpgsqlDbType.Integer, end);
    }

    private static async Task<string> QueryTextAsync(NpgsqlConnection connection, string key)
    {
        await using var command = new NpgsqlCommand("SELECT querytext FROM orleansquery WHERE querykey = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> ReadColumnAsync(NpgsqlConnection connection, string sql, Action<NpgsqlCommand> parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        parameters(command);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
