using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence;

/// <summary>The villages' duty phones in PostgreSQL's village_contacts table (migration 0017).</summary>
public sealed class PostgresVillageContactStore(NpgsqlDataSource db) : IVillageContactStore
{
    public async Task<VillageContact?> FindAsync(string villageCode, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand("select duty_phone, updated_at, updated_by from village_contacts where village_code = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = villageCode });
        await using var reader = await StaleConnections.RetryOnceAsync(db, () => command.ExecuteReaderAsync(ct));
        return await reader.ReadAsync(ct)
            ? new VillageContact(villageCode, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2))
            : null;
    }

    public async Task SetAsync(VillageContact contact, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand(string.IsNullOrEmpty(contact.DutyPhone)
            ? "delete from village_contacts where village_code = $1"
            : """
              insert into village_contacts (village_code, duty_phone, updated_at, updated_by) values ($1, $2, $3, $4)
              on conflict (village_code) do update set duty_phone = excluded.duty_phone, updated_at = excluded.updated_at, updated_by = excluded.updated_by
              """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = contact.VillageCode });
        if (!string.IsNullOrEmpty(contact.DutyPhone))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = contact.DutyPhone });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = contact.UpdatedAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = contact.UpdatedBy });
        }
        // An upsert (or delete) of the same values: a repeat is harmless.
        await StaleConnections.RetryOnceAsync(db, () => command.ExecuteNonQueryAsync(ct));
    }
}
