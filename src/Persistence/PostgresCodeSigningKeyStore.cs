using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence;

/// <summary>The code-signing keys in PostgreSQL's code_signing_keys table (migration 0014).</summary>
public sealed class PostgresCodeSigningKeyStore(NpgsqlDataSource db) : ICodeSigningKeyStore
{
    public async Task<IReadOnlyList<StoredCodeSigningKey>> ListAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand("""
            select kid, publish_from, not_before, sign_until, verify_until, public_key, private_key
            from code_signing_keys where verify_until > $1 order by not_before
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var result = new List<StoredCodeSigningKey>();
        await using var reader = await StaleConnections.RetryOnceAsync(db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct))
            result.Add(new StoredCodeSigningKey(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<byte[]>(5),
                reader.GetFieldValue<byte[]>(6)));
        return result;
    }

    public async Task<bool> TryAddAsync(StoredCodeSigningKey key, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand("""
            insert into code_signing_keys (kid, publish_from, not_before, sign_until, verify_until, public_key, private_key)
            values ($1, $2, $3, $4, $5, $6, $7) on conflict (kid) do nothing
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.KeyId });
        foreach (var at in new[] { key.PublishFrom, key.NotBefore, key.SignUntil, key.VerifyUntil })
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = key.PublicKey });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = key.ProtectedPrivateKey });
        // Not retried: a repeat of a committed insert would answer "already there" (false) for the key it just added.
        return await StaleConnections.ClearOnFailureAsync(db, () => command.ExecuteNonQueryAsync(ct)) == 1;
    }
}
