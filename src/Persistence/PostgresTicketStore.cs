using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Tickets;

namespace Sanmenxia.Persistence;

/// <summary>
/// The tickets read model in PostgreSQL (migration 0008). Tickets change a few times each over their life (15,000 in the
/// article's weeks), so each upsert is one statement, no batching; the version guard makes a retried or late write harmless.
/// </summary>
public sealed partial class PostgresTicketStore(NpgsqlDataSource db, ILogger<PostgresTicketStore> logger) : ITicketStore
{
    private const string Columns = "number, state, kind, category, source, region_code, assignee_kind, assignee, overdue, overdue_since, " +
        "escalation_level, escalated_to, due_at, created_at, updated_at, accepted_at, rejected_at, closed_at, version";

    public async Task UpsertAsync(TicketRow row, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand($"""
            insert into tickets ({Columns})
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            on conflict (number) do update set state = excluded.state, kind = excluded.kind, category = excluded.category,
              source = excluded.source, region_code = excluded.region_code, assignee_kind = excluded.assignee_kind,
              assignee = excluded.assignee, overdue = excluded.overdue, overdue_since = excluded.overdue_since,
              escalation_level = excluded.escalation_level, escalated_to = excluded.escalated_to, due_at = excluded.due_at,
              created_at = excluded.created_at, updated_at = excluded.updated_at, accepted_at = excluded.accepted_at,
              rejected_at = excluded.rejected_at, closed_at = excluded.closed_at, version = excluded.version
            where tickets.version < excluded.version
            """);
        var p = command.Parameters;
        p.Add(Text(row.Number));
        p.Add(Text(row.State.ToString()));
        p.Add(Text(row.Kind.ToString()));
        p.Add(Text(row.Category?.ToString()));
        p.Add(Text(row.Source.ToString()));
        p.Add(Text(row.RegionCode));
        p.Add(Text(row.AssigneeKind?.ToString()));
        p.Add(Text(row.Assignee));
        p.Add(new NpgsqlParameter<bool> { TypedValue = row.Overdue });
        p.Add(Time(row.OverdueSince));
        p.Add(new NpgsqlParameter<int> { TypedValue = row.EscalationLevel });
        p.Add(Text(row.EscalatedTo));
        p.Add(Time(row.DueAt));
        p.Add(Time(row.CreatedAt));
        p.Add(Time(row.UpdatedAt));
        p.Add(Time(row.AcceptedAt));
        p.Add(Time(row.RejectedAt));
        p.Add(Time(row.ClosedAt));
        p.Add(new NpgsqlParameter<long> { TypedValue = row.Version });
        // Versioned (where tickets.version < excluded.version): a repeat changes nothing.
        await StaleConnections.RetryOnceAsync(db, () => command.ExecuteNonQueryAsync(ct));
    }

    public async Task<TicketRow?> GetAsync(string number, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand($"select {Columns} from tickets where number = $1");
        command.Parameters.Add(Text(number));
        return (await ReadAsync(command, ct)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<TicketRow>> QueueAsync(TicketQueueQuery q, CancellationToken ct = default)
    {
        // rank 0 = overdue now (flagged by the grain, or past due already), 1 = not yet: overdue first, then by due time.
        const string Rank = "(case when overdue or due_at <= $1 then 0 else 1 end)";
        await using var command = db.CreateCommand($"""
            select {Columns} from tickets
            where due_at is not null
              and ($2::text is null or region_code like $2 || '%')
              and ($3::text is null or (assignee_kind = 'Department' and assignee = $3))
              and ($4::text is null or (assignee_kind = 'Village' and assignee = $4))
              and ($5::text is null or state = $5)
              and (not $6 or escalation_level > 0)
              and ($7::integer is null or ({Rank}, due_at, number) > ($7, $8, $9))
            order by {Rank}, due_at, number
            limit $10
            """);
        var p = command.Parameters;
        p.Add(Time(q.Now));
        p.Add(Text(q.RegionPrefix));
        p.Add(Text(q.Department));
        p.Add(Text(q.Village));
        p.Add(Text(q.State?.ToString()));
        p.Add(new NpgsqlParameter<bool> { TypedValue = q.EscalatedOnly });
        p.Add(new NpgsqlParameter { Value = q.After is null ? DBNull.Value : q.After.Overdue ? 0 : 1, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(Time(q.After?.DueAt));
        p.Add(Text(q.After?.Number));
        p.Add(new NpgsqlParameter<int> { TypedValue = q.Take });
        return await ReadAsync(command, ct);
    }

    public async Task<IReadOnlyList<TicketFigures>> FiguresAsync(string regionPrefix, IReadOnlyList<TicketWindow> windows, DateTimeOffset now, CancellationToken ct = default)
    {
        if (windows.Count == 0) return [];
        // One pass over the prefix's tickets per window; "cut" is the window's end, or now if sooner.
        await using var command = db.CreateCommand("""
            with w as (
              select i, s, e, least(e, $4) as cut
              from unnest($2::timestamptz[], $3::timestamptz[]) with ordinality as x(s, e, i)
            ),
            t as (select * from tickets where region_code like $1 || '%')
            select w.i,
              count(t.number) filter (where t.created_at >= w.s and t.created_at < w.e),
              count(t.number) filter (where t.accepted_at >= w.s and t.accepted_at < w.e),
              count(t.number) filter (where t.rejected_at >= w.s and t.rejected_at < w.e),
              count(t.number) filter (where t.closed_at >= w.s and t.closed_at < w.e),
              count(t.number) filter (where t.created_at < w.cut and not coalesce(t.closed_at < w.cut, false) and not coalesce(t.rejected_at < w.cut, false)),
              count(t.number) filter (where t.created_at < w.cut and not coalesce(t.closed_at < w.cut, false) and not coalesce(t.rejected_at < w.cut, false)
                and coalesce(t.overdue_since, case when t.due_at <= $4 then t.due_at end) < w.cut),
              count(t.number) filter (where t.accepted_at >= w.s and t.accepted_at < w.e and t.closed_at is not null),
              percentile_cont(0.5) within group (order by extract(epoch from t.closed_at - t.created_at) / 3600.0)
                filter (where t.closed_at >= w.s and t.closed_at < w.e),
              percentile_cont(0.9) within group (order by extract(epoch from t.closed_at - t.created_at) / 3600.0)
                filter (where t.closed_at >= w.s and t.closed_at < w.e)
            from w left join t on t.created_at < w.e
            group by w.i
            order by w.i
            """);
        command.Parameters.Add(Text(regionPrefix));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = windows.Select(x => x.Start.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = windows.Select(x => x.End.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(Time(now));
        var result = new List<TicketFigures>();
        await using var reader = await StaleConnections.RetryOnceAsync(db, () => command.ExecuteReaderAsync(ct));
        while (await reader.ReadAsync(ct))
        {
            var window = windows[(int)reader.GetInt64(0) - 1];
            var accepted = (int)reader.GetInt64(2);
            var closedOfAccepted = (int)reader.GetInt64(7);
            result.Add(new TicketFigures(window, (int)reader.GetInt64(1), accepted, (int)reader.GetInt64(3), (int)reader.GetInt64(4),
                (int)reader.GetInt64(5), (int)reader.GetInt64(6), accepted == 0 ? null : (double)closedOfAccepted / accepted,
                reader.IsDBNull(8) ? null : reader.GetDouble(8), reader.IsDBNull(9) ? null : reader.GetDouble(9)));
        }
        logger.LogDebug("Ticket figures for {Prefix}: {Windows} windows", regionPrefix, windows.Count);
        return result;
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private async Task<IReadOnlyList<TicketRow>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var result = new List<TicketRow>();
        await using var reader = await StaleConnections.RetryOnceAsync(db, () => command.ExecuteReaderAsync(ct));
        DateTimeOffset? At(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        string? Str(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        while (await reader.ReadAsync(ct))
            result.Add(new TicketRow(
                reader.GetString(0), Enum.Parse<TicketState>(reader.GetString(1)), Enum.Parse<TicketKind>(reader.GetString(2)),
                Str(3) is { } category ? Enum.Parse<LeadCategory>(category) : null, Enum.Parse<TicketSource>(reader.GetString(4)),
                reader.GetString(5), Str(6) is { } kind ? Enum.Parse<AssigneeKind>(kind) : null, Str(7), reader.GetBoolean(8), At(9),
                reader.GetInt32(10), Str(11), At(12), At(13)!.Value, At(14)!.Value, At(15), At(16), At(17), reader.GetInt64(18)));
        return result;
    }
}
