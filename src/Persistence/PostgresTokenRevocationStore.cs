using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence;

/// <summary>The revocation list of resident tokens in PostgreSQL's resident_token_revocations table (migration 0020).</summary>
public sealed class PostgresTokenRevocationStore(NpgsqlDataSource db) : ITokenRevocationStore
{
    /// <summary>
    /// How far back each read reaches before the previous read's clock. A row is stamped with its statement's time and
    /// becomes visible at commit, a moment later; reading from earlier than the last read covers that gap (repeats are
    /// harmless: a reader keeps the highest generation).
    /// </summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(2);

    public async Task RecordAsync(string phoneKey, int generation, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand("""
            insert into resident_token_revocations (phone_key, generation, revoked_at) values ($1, $2, clock_timestamp())
            on conflict (phone_key) do update set generation = excluded.generation, revoked_at = excluded.revoked_at
            where resident_token_revocations.generation < excluded.generation
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = phoneKey });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = generation });
        // The same row again changes nothing (the generation only rises): a repeat after a stale connection is harmless.
        await StaleConnections.RetryOnceAsync(db, () => command.ExecuteNonQueryAsync(ct));
    }

    public async Task<TokenRevocationPage> ReadSinceAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand("""
            select phone_key, generation, revoked_at, clock_timestamp() from resident_token_revocations where revoked_at >= $1
            union all select null, 0, null, clock_timestamp()
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>
        {
            TypedValue = since == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : since.ToUniversalTime(),
            NpgsqlDbType = NpgsqlDbType.TimestampTz,
        });
        await using var reader = await StaleConnections.RetryOnceAsync(db, () => command.ExecuteReaderAsync(ct));
        var rows = new List<TokenRevocation>();
        var storeNow = DateTimeOffset.MinValue;
        while (await reader.ReadAsync(ct))
        {
            storeNow = reader.GetFieldValue<DateTimeOffset>(3);
            if (reader.IsDBNull(0)) continue;
            rows.Add(new TokenRevocation(reader.GetString(0), reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        return new TokenRevocationPage(rows, storeNow - Overlap);
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand("delete from resident_token_revocations where revoked_at < $1");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = before.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await StaleConnections.RetryOnceAsync(db, () => command.ExecuteNonQueryAsync(ct));
    }
}
