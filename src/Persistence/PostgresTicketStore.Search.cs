using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence;

/// <summary>The Open311 search of the tickets read model (index tickets_by_created, migration 0011).</summary>
public sealed partial class PostgresTicketStore : ITicketSearch
{
    public async Task<IReadOnlyList<string>> SearchAsync(TicketSearchQuery q, CancellationToken ct = default)
    {
        // A kind filter without a category matches every category of the kind ('' stands for "any").
        await using var command = db.CreateCommand("""
            select number from tickets
            where created_at >= $1 and created_at <= $2
              and exists (select 1 from unnest($3::text[], $4::text[]) as k(kind, category)
                          where k.kind = tickets.kind and (k.category = '' or k.category = tickets.category))
              and ($5::boolean is null or (state not in ('Closed', 'Rejected')) = $5)
            order by created_at desc, number desc
            limit $6
            """);
        var p = command.Parameters;
        p.Add(Time(q.From));
        p.Add(Time(q.To));
        p.Add(new NpgsqlParameter<string[]> { TypedValue = q.Kinds.Select(k => k.Kind.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = q.Kinds.Select(k => k.Category?.ToString() ?? "").ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = q.Open is { } open ? open : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Boolean });
        p.Add(new NpgsqlParameter<int> { TypedValue = q.Take });
        var numbers = new List<string>();
        await using var reader = await StaleConnections.RetryOnceAsync(db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct)) numbers.Add(reader.GetString(0));
        return numbers;
    }
}
