namespace Sanmenxia.Persistence.Reminders;

/// <summary>
/// The statements of <see cref="BatchingReminderTable"/> on <c>orleans_reminder</c> (migration 0003): the stock provider's
/// columns and meanings (grain_id = GrainId.ToString(), grain_hash = the uniform hash as a signed int, period in
/// milliseconds, version = the ETag, 0 on insert and + 1 on every upsert), so either provider reads the other's rows.
/// </summary>
internal static class ReminderSql
{
    private const string Columns = "grain_id, reminder_name, start_time, period_ms, version";

    /// <summary>
    /// One row per reminder, in key order (so concurrent batches lock rows in the same order). <c>bump</c> is how many
    /// upserts of that reminder the row stands for, minus one: a new row starts at version <c>bump</c>, an existing one
    /// moves up by <c>bump + 1</c>, exactly where that many single upserts in a row would have left it.
    /// </summary>
    public const string Upsert = """
        INSERT INTO orleans_reminder (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
        SELECT $1, t.g, t.n, t.s, t.p, t.h, t.bump
          FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::int[], $7::int[])
               WITH ORDINALITY AS t(g, n, s, p, h, bump, ord)
         ORDER BY t.ord
        ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
           SET start_time = EXCLUDED.start_time,
               period_ms = EXCLUDED.period_ms,
               grain_hash = EXCLUDED.grain_hash,
               version = orleans_reminder.version + EXCLUDED.version + 1
        RETURNING grain_id, reminder_name, version
        """;

    public const string ReadGrain = $"SELECT {Columns} FROM orleans_reminder WHERE service_id = $1 AND grain_id = $2";

    public const string ReadOne = $"SELECT {Columns} FROM orleans_reminder WHERE service_id = $1 AND grain_id = $2 AND reminder_name = $3";

    /// <summary>(begin, end] on the signed hashes, when begin &lt; end as signed ints.</summary>
    public const string ReadRange = $"SELECT {Columns} FROM orleans_reminder WHERE service_id = $1 AND grain_hash > $2 AND grain_hash <= $3";

    /// <summary>
    /// The rest of the ring when begin &gt;= end as signed ints: (begin, max] and [min, end], as two index range scans.
    /// Comparing the ring's unsigned bounds as signed ints, and choosing the statement by that comparison, selects
    /// exactly the unsigned range (begin, end] with wrap-around, whichever half of the ring each bound lies in.
    /// </summary>
    public const string ReadRangeWrapped = $"""
        SELECT {Columns} FROM orleans_reminder WHERE service_id = $1 AND grain_hash > $2
        UNION ALL
        SELECT {Columns} FROM orleans_reminder WHERE service_id = $1 AND grain_hash <= $3
        """;

    public const string Delete = "DELETE FROM orleans_reminder WHERE service_id = $1 AND grain_id = $2 AND reminder_name = $3 AND version = $4";

    public const string DeleteAll = "DELETE FROM orleans_reminder WHERE service_id = $1";
}
