using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sanmenxia.Persistence;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Tooling;

namespace Sanmenxia.Benchmarks;

/// <summary>Settings of <see cref="AuditBenchmark"/>.</summary>
public sealed record AuditBenchSettings(long Rows, int Queries, string Database, string DataDir, bool Keep, bool Reuse);

/// <summary>
/// The audit reader at scale (issue 19): bulk-loads synthetic audit rows (generate_series) into a scratch database of
/// the project's PostgreSQL, built by the real migrations (so the real indexes and the append-only trigger), then times
/// the reader's own queries (<see cref="PostgresAuditLog.SearchAsync"/>, <see cref="PostgresAuditLog.ActorsOfSubjectAsync"/>)
/// with random parameters and prints p50/p99/max per kind. Figures: docs/benchmarks.md (Session 5).
/// </summary>
public sealed partial class AuditBenchmark(AuditBenchSettings settings)
{
    private static readonly DateTimeOffset Start = new(2020, 1, 20, 0, 0, 0, TimeSpan.FromHours(8));
    private const int Days = 120;
    private const int Actors = 5_000;
    private const int Residents = 2_630_000;

    public async Task<int> RunAsync()
    {
        var system = SystemSecrets.Load(settings.DataDir);
        var admin = new NpgsqlConnectionStringBuilder(system.PgConnectionString) { Timeout = 15, CommandTimeout = 0, Pooling = false };
        var scratch = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = settings.Database, Pooling = true, MaxPoolSize = 10 }.ConnectionString;
        var loadedRows = settings.Reuse ? await ExistingRowsAsync(scratch) : -1;
        if (loadedRows != settings.Rows)
        {
            await ExecuteAsync(admin.ConnectionString, "postgres", $"drop database if exists {settings.Database}");
            await MigrationRunner.EnsureDatabaseAsync(scratch);
            await MigrationRunner.ApplyAsync(scratch);
            await LoadAsync(scratch);
        }
        else Console.WriteLine($"reusing {settings.Database} with {loadedRows:N0} rows");

        await using var db = NpgsqlDataSource.Create(scratch);
        await using var log = new PostgresAuditLog(db, NullLogger<PostgresAuditLog>.Instance);
        var maxId = await ScalarAsync<long>(scratch, "select max(id) from audit_log");
        var random = new Random(19);
        var results = new List<(string Kind, double P50, double P99, double Max, double Rows)>();
        async Task Measure(string kind, Func<Task<int>> query)
        {
            for (var i = 0; i < Math.Max(5, settings.Queries / 10); i++) await query(); // warm the plan and the cache a little
            var times = new List<double>(settings.Queries);
            var rows = 0;
            for (var i = 0; i < settings.Queries; i++)
            {
                var started = Stopwatch.GetTimestamp();
                rows += await query();
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            times.Sort();
            results.Add((kind, Percentile(times, 0.50), Percentile(times, 0.99), times[^1], (double)rows / settings.Queries));
            Console.WriteLine($"{kind}: p50 {Percentile(times, 0.50):F1} ms, p99 {Percentile(times, 0.99):F1} ms, max {times[^1]:F1} ms");
        }

        await Measure("first page (no filter, 50 rows)", async () => (await log.SearchAsync(new AuditSearch(Take: 50))).Items.Count);
        var cursors = await RandomCursorsAsync(db, maxId, random, settings.Queries + settings.Queries / 10 + 5);
        var nextCursor = 0;
        await Measure("deep keyset page (cursor at a random row, 50 rows)", async () =>
            (await log.SearchAsync(new AuditSearch(After: cursors[nextCursor++ % cursors.Count], Take: 50))).Items.Count);
        await Measure("by resident (subject key, 50 rows)", async () =>
            (await log.SearchAsync(new AuditSearch(SubjectKey: ResidentKey(random.Next(Residents)), Take: 50))).Items.Count);
        await Measure("who looked at this resident (actors of a subject)", async () =>
            (await log.ActorsOfSubjectAsync(ResidentKey(random.Next(Residents)), null)).Count);
        await Measure("by actor + 7-day range (50 rows)", async () =>
        {
            var from = Start.AddDays(random.Next(Days - 7));
            return (await log.SearchAsync(new AuditSearch(ActorId: $"staff-{random.Next(Actors)}", From: from, To: from.AddDays(7), Take: 50))).Items.Count;
        });
        await Measure("county auditor's first page (region prefix, 50 rows)", async () =>
            (await log.SearchAsync(new AuditSearch(RegionPrefix: $"41120{2 + random.Next(6)}", Take: 50))).Items.Count);
        await Measure("village filter, second page (50 rows)", async () =>
        {
            var village = VillageCode(random.Next(Residents));
            var first = await log.SearchAsync(new AuditSearch(RegionPrefix: village, Take: 50));
            return first.Next is { } next ? (await log.SearchAsync(new AuditSearch(RegionPrefix: village, After: next, Take: 50))).Items.Count : 0;
        });
        await Measure("break-the-glass tab, first page (50 rows)", async () => (await log.SearchAsync(new AuditSearch(BreakGlassOnly: true, Take: 50))).Items.Count);

        Console.WriteLine();
        Console.WriteLine($"| query ({settings.Rows:N0} rows, {settings.Queries} runs each) | p50 ms | p99 ms | max ms | rows/answer |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Kind} | {r.P50:F1} | {r.P99:F1} | {r.Max:F1} | {r.Rows:F1} |"));
        Console.WriteLine($"table size: {await ScalarAsync<string>(scratch, "select pg_size_pretty(pg_total_relation_size('audit_log'))")}");
        if (!settings.Keep) await ExecuteAsync(admin.ConnectionString, "postgres", $"drop database if exists {settings.Database}");
        return 0;
    }

    private static string ResidentKey(long k) => "r" + k.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>The synthetic village of a resident number: the same expression as the load's SQL.</summary>
    private static string VillageCode(long k) => string.Create(CultureInfo.InvariantCulture,
        $"41120{2 + k % 6}{1 + k / 6 % 20:D3}{1 + k / 120 % 30:D3}");

    /// <summary>
    /// Loads the rows with the reader's indexes dropped and then rebuilt from migration 0012's own statements (a bulk
    /// load into six indexes is many times slower); the append-only trigger is left as it is (inserts pass it).
    /// </summary>
    private async Task LoadAsync(string connectionString)
    {
        var migration = MigrationRunner.Migrations.Single(m => m.Version == 12).Sql;
        var indexes = CreateIndex().Matches(migration).Select(m => m.Value).ToList();
        foreach (var name in IndexName().Matches(migration).Select(m => m.Groups[1].Value).Distinct())
            await ExecuteAsync(connectionString, null, $"drop index if exists {name}");
        var started = Stopwatch.GetTimestamp();
        const long chunk = 1_000_000;
        for (long from = 1; from <= settings.Rows; from += chunk)
        {
            var to = Math.Min(settings.Rows, from + chunk - 1);
            // Row i: a time spread evenly over 120 days; a resident k (about 2.7 entries each, scattered); one of 5,000
            // actors (seven entries in a row each turn, so each has about 2,000 over the 120 days); mostly reads; one in 10,000 a break-the-glass grant; the resident's village as the region.
            await ExecuteAsync(connectionString, null, string.Create(CultureInfo.InvariantCulture, $$"""
                insert into audit_log (at, actor_id, actor_role, action, subject_key, region_code, detail)
                select timestamptz '{{Start:O}}' + (i::float8 / {{settings.Rows}} * interval '{{Days}} days'),
                       'staff-' || ((i / 7) % {{Actors}}),
                       case when i % 10 = 0 then 'commander' else 'village' end,
                       case when i % 10000 = 7 then 'break-glass.open'
                            when i % 20 < 10 then 'resident.read'
                            when i % 20 < 16 then 'village.residents.list'
                            when i % 20 < 19 then 'code.verify'
                            else 'resident.passes.read' end,
                       case when i % 20 between 10 and 15 then null else 'r' || lpad(to_hex(k), 8, '0') end,
                       '41120' || (2 + k % 6) || lpad((1 + k / 6 % 20)::text, 3, '0') || lpad((1 + k / 120 % 30)::text, 3, '0'),
                       case when i % 10000 = 7 then '{"text":"until=…; reason=synthetic emergency"}'::jsonb end
                from (select i, (i * 2654435761) % {{Residents}} as k from generate_series({{from}}::bigint, {{to}}::bigint) as i) s
                """));
            Console.WriteLine($"loaded {to:N0} rows ({Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s)");
        }
        foreach (var index in indexes)
        {
            var t = Stopwatch.GetTimestamp();
            await ExecuteAsync(connectionString, null, index);
            Console.WriteLine($"{index.Split(" ON ")[0]}: {Stopwatch.GetElapsedTime(t).TotalSeconds:F0} s");
        }
        await ExecuteAsync(connectionString, null, "vacuum analyze audit_log");
        Console.WriteLine($"load + indexes + analyze: {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
    }

    /// <summary>Cursors at random rows, read before the timing starts (a page's cursor is what the previous page answered).</summary>
    private static async Task<List<AuditCursor>> RandomCursorsAsync(NpgsqlDataSource db, long maxId, Random random, int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => random.NextInt64(1, maxId + 1)).ToArray();
        await using var command = db.CreateCommand("select at, id from audit_log where id = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        var cursors = new List<AuditCursor>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) cursors.Add(new AuditCursor(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1)));
        return cursors.OrderBy(_ => random.Next()).ToList();
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task<long> ExistingRowsAsync(string connectionString)
    {
        try { return await ScalarAsync<long>(connectionString, "select count(*) from audit_log"); }
        catch (NpgsqlException) { return -1; }
    }

    private static async Task ExecuteAsync(string connectionString, string? database, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        if (database is not null) builder.Database = database;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [GeneratedRegex(@"CREATE INDEX IF NOT EXISTS [^;]+", RegexOptions.CultureInvariant)]
    private static partial Regex CreateIndex();

    [GeneratedRegex(@"CREATE INDEX IF NOT EXISTS (\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex IndexName();
}
