using System.Text;
using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence;

/// <summary>
/// The audit reader's queries. Each search is built from the filters actually given (no "$1 is null or …" clauses), so
/// PostgreSQL plans it on the index that ends in (at, id) for its most selective filter (migration 0012), and a page is
/// one ordered range scan from the cursor, however deep.
/// </summary>
public sealed partial class PostgresAuditLog
{
    /// <summary>A region filter of this length is a village, the leaf of the tree: equality, on the region index.</summary>
    private const int VillageCodeLength = 12;

    public async Task<AuditPage> SearchAsync(AuditSearch search, CancellationToken ct = default)
    {
        var sql = new StringBuilder("select id, at, actor_id, actor_role, action, subject_key, region_code, detail->>'text' from audit_log where true");
        await using var command = _db.CreateCommand();
        void Add(string clause, object value, NpgsqlDbType type)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            sql.Append(" and ").Append(clause.Replace("$", "$" + command.Parameters.Count, StringComparison.Ordinal));
        }
        if (search.SubjectKey is { } subject) Add("subject_key = $", subject, NpgsqlDbType.Text);
        if (search.ActorId is { } actor) Add("actor_id = $", actor, NpgsqlDbType.Text);
        if (search.Action is { } action) Add("action = $", action, NpgsqlDbType.Text);
        if (search.BreakGlassOnly) sql.Append(" and action like 'break-glass.%'");
        if (search.RegionPrefix is { } prefix)
            Add(prefix.Length == VillageCodeLength ? "region_code = $" : "starts_with(region_code, $)", prefix, NpgsqlDbType.Text);
        // Npgsql writes timestamptz from UTC only; a reader's bound may come with the city's offset (+08:00).
        if (search.From is { } from) Add("at >= $", from.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        if (search.To is { } to) Add("at < $", to.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        if (search.After is { } after)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = after.At.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = after.Id, NpgsqlDbType = NpgsqlDbType.Bigint });
            sql.Append(System.Globalization.CultureInfo.InvariantCulture,
                $" and (at, id) < (${command.Parameters.Count - 1}, ${command.Parameters.Count})");
        }
        command.Parameters.Add(new NpgsqlParameter { Value = search.Take + 1, NpgsqlDbType = NpgsqlDbType.Integer });
        sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" order by at desc, id desc limit ${command.Parameters.Count}");
        command.CommandText = sql.ToString();

        var items = new List<AuditRecord>(Math.Min(search.Take + 1, 1001));
        await using (var reader = await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteReaderAsync(ct)))
            while (await reader.ReadAsync(ct))
                items.Add(new AuditRecord(reader.GetInt64(0), new AuditEntry(reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7))));
        if (items.Count <= search.Take) return new AuditPage(items, null);
        var last = items[search.Take - 1];
        return new AuditPage(items.GetRange(0, search.Take), new AuditCursor(last.Entry.At, last.Id));
    }

    public async Task<IReadOnlyList<AuditActorSummary>> ActorsOfSubjectAsync(string subjectKey, string? regionPrefix, CancellationToken ct = default)
    {
        await using var command = _db.CreateCommand(regionPrefix is null
            ? """
              select actor_id, actor_role, count(*), min(at), max(at) from audit_log where subject_key = $1
              group by actor_id, actor_role order by max(at) desc limit 1000
              """
            : """
              select actor_id, actor_role, count(*), min(at), max(at) from audit_log where subject_key = $1 and starts_with(region_code, $2)
              group by actor_id, actor_role order by max(at) desc limit 1000
              """);
        command.Parameters.Add(new NpgsqlParameter { Value = subjectKey, NpgsqlDbType = NpgsqlDbType.Text });
        if (regionPrefix is not null) command.Parameters.Add(new NpgsqlParameter { Value = regionPrefix, NpgsqlDbType = NpgsqlDbType.Text });
        var results = new List<AuditActorSummary>();
        await using var reader = await StaleConnections.RetryOnceAsync(_db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct))
            results.Add(new AuditActorSummary(reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
        return results;
    }
}
