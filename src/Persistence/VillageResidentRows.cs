using Orleans.Serialization;
using Sanmenxia.Residents;

namespace Sanmenxia.Persistence;

/// <summary>
/// The one place that knows a village_resident row (migration 0007): its payload (the Orleans binary serialisation of
/// <see cref="ResidentSummary"/>) and the two versioned statements on it, used by both writers: the village's own
/// group commit (<see cref="PostgresVillageRoster"/>) and the resident's grain write, where the row goes in the same
/// statement as the resident's state (BatchingGrainStorage). An older version never replaces or deletes a newer row.
/// </summary>
public sealed class VillageResidentRows(Serializer<ResidentSummary> serializer)
{
    /// <summary>The row's payload for a summary (never for a removal: a removal deletes the row).</summary>
    public byte[] Payload(ResidentSummary summary) => serializer.SerializeToArray(summary);

    public ResidentSummary Read(string villageCode, byte[] payload) =>
        serializer.Deserialize(payload) ?? throw new InvalidDataException($"village_resident row of {villageCode} has an empty payload");

    /// <summary>
    /// Upserts the rows of <paramref name="source"/> (a relation with columns village, resident, version, payload; one row
    /// per key), as common table expressions named <paramref name="name"/>_… for a WITH list: a row is replaced only by a
    /// newer version.
    /// <para>A row that exists is changed by a plain UPDATE (in key order, as the grain-state write does); only a key the
    /// statement's snapshot does not hold goes through INSERT … ON CONFLICT, which also settles a concurrent first insert.
    /// ON CONFLICT DO UPDATE first locks the row it updates and logs the lock: on every clock-in that was a quarter of
    /// the WAL records at the city and ~5 % more PostgreSQL CPU per row (docs/benchmarks.md, session 10).</para>
    /// </summary>
    public static string UpsertCtes(string source, string name) => $"""
        {name}_rows AS MATERIALIZED (
            SELECT village, resident, version, payload FROM {source} ORDER BY village, resident
        ),
        {name}_updated AS (
            update village_resident v
               set version = r.version, payload = r.payload, updated_at = now()
              from {name}_rows r
             where v.village_code = r.village and v.resident_key = r.resident and v.version < r.version
            returning 1
        ),
        {name}_inserted AS (
            insert into village_resident (village_code, resident_key, version, payload, updated_at)
            select village, resident, version, payload, now() from {name}_rows r
             where not exists (select 1 from village_resident v where v.village_code = r.village and v.resident_key = r.resident)
             order by village, resident
            on conflict (village_code, resident_key) do update
              set version = excluded.version, payload = excluded.payload, updated_at = excluded.updated_at
              where village_resident.version < excluded.version
            returning 1
        )
        """;

    /// <summary>Deletes the rows named by <paramref name="source"/> (columns village, resident, version), only those older than the removal.</summary>
    public static string Delete(string source) => $"""
        delete from village_resident v using {source}
        where v.village_code = t.village and v.resident_key = t.resident and v.version < t.version
        """;
}
