namespace Sanmenxia.Persistence.BatchingGrainStorage;

/// <summary>The provider's two statements (both constant, so the data source auto-prepares them).</summary>
public sealed partial class BatchingGrainStorage
{
    /// <summary>
    /// One batch of writes, set-based, in one statement (one implicit transaction, one commit). Parameters: $1 the
    /// service id; $2..$9 one element per queued write, sorted by key (hashes, key halves, type, extension, expected
    /// version, payload); $10..$14 the village rows the writes carry (owner = the write's 1-based position, village,
    /// resident, version, payload; a NULL payload deletes the row).
    /// <list type="bullet">
    /// <item>A write with an expected version updates the row only if the stored version is that one (version + 1;
    /// a NULL payload is a clear, which keeps the row and bumps its version). Two writes of the same key in one batch
    /// (only possible from duplicate activations) cannot both match: PostgreSQL updates a row once per statement.</item>
    /// <item>A first write (no expected version) inserts version 1 unless the key exists; of two first writes of the same
    /// key in one batch only the first in arrival order is tried.</item>
    /// <item>Returned: each write that happened, with its new version. A write not returned changed nothing (a stale
    /// ETag, a lost first-insert race): that grain's <see cref="Orleans.Storage.InconsistentStateException"/>, the
    /// others commit.</item>
    /// <item>The village rows (<see cref="Platform.Stores.IVillageRowCarrier"/>) are written only for the writes that
    /// happened, with the roster's own versioned statements (<see cref="VillageResidentRows"/>), in key order.</item>
    /// </list>
    /// Same table, versions and semantics as migration 0002's <c>orleans_grain_state_write</c> function, which the stock
    /// provider still uses, so either provider reads what the other wrote.
    /// </summary>
    private static readonly string WriteSql = $"""
        WITH t AS MATERIALIZED (
            SELECT * FROM unnest($2::int[], $3::bigint[], $4::bigint[], $5::int[], $6::text[], $7::text[], $8::int[], $9::bytea[])
                   WITH ORDINALITY AS t(h, n0, n1, th, gt, ext, v, p, ord)
        ),
        updated AS (
            UPDATE orleans_grain_state g
               SET payload = t.p, version = g.version + 1, modified_at = now()
              FROM t
             WHERE t.v IS NOT NULL
               AND g.grain_id_hash = t.h AND g.grain_type_hash = t.th AND g.service_id = $1
               AND g.grain_id_n0 = t.n0 AND g.grain_id_n1 = t.n1 AND g.grain_type = t.gt
               AND g.grain_id_extension IS NOT DISTINCT FROM t.ext
               AND g.version = t.v
            RETURNING t.ord, g.version
        ),
        first_writes AS (
            SELECT DISTINCT ON (h, th, n0, n1, gt, ext) h, th, n0, n1, gt, ext, p, ord
              FROM t WHERE v IS NULL
             ORDER BY h, th, n0, n1, gt, ext, ord
        ),
        inserted AS (
            INSERT INTO orleans_grain_state
                   (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, grain_id_extension, payload, version)
            SELECT h, th, $1, n0, n1, gt, ext, p, 1 FROM first_writes ORDER BY ord
            ON CONFLICT ON CONSTRAINT orleans_grain_state_key DO NOTHING
            RETURNING grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, grain_type, grain_id_extension, version
        ),
        written AS (
            SELECT ord, version FROM updated
            UNION ALL
            SELECT f.ord, i.version
              FROM inserted i
              JOIN first_writes f ON f.h = i.grain_id_hash AND f.th = i.grain_type_hash AND f.n0 = i.grain_id_n0
                                 AND f.n1 = i.grain_id_n1 AND f.gt = i.grain_type AND f.ext IS NOT DISTINCT FROM i.grain_id_extension
        ),
        village_rows AS (
            SELECT r.village, r.resident, r.version, r.payload
              FROM unnest($10::bigint[], $11::text[], $12::text[], $13::bigint[], $14::bytea[]) AS r(owner, village, resident, version, payload)
              JOIN written w ON w.ord = r.owner
        ),
        {VillageResidentRows.UpsertCtes("(SELECT * FROM village_rows WHERE payload IS NOT NULL) AS t", "upserted")},
        deleted AS (
            {VillageResidentRows.Delete("(SELECT * FROM village_rows WHERE payload IS NULL) AS t")}
        )
        SELECT (ord - 1)::int, version FROM written
        """;

    // LATERAL ... LIMIT 1 keeps the lookup a parameterised index probe per key whatever the planner thinks of unnest().
    private const string ReadSql = """
        SELECT (t.ord - 1)::int, s.payload, s.version
          FROM unnest($2::int[], $3::bigint[], $4::bigint[], $5::int[], $6::text[], $7::text[])
               WITH ORDINALITY AS t(h, n0, n1, th, gt, ext, ord)
          CROSS JOIN LATERAL (
               SELECT payload, version
                 FROM orleans_grain_state g
                WHERE g.grain_id_hash = t.h AND g.grain_type_hash = t.th AND g.service_id = $1
                  AND g.grain_id_n0 = t.n0 AND g.grain_id_n1 = t.n1 AND g.grain_type = t.gt
                  AND g.grain_id_extension IS NOT DISTINCT FROM t.ext
                LIMIT 1) s
        """;
}
