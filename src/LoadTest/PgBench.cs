using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Sanmenxia.LoadTest;

public sealed record PgBenchResult(bool Ran, string? Skipped, int Clients, int Seconds, double Tps, double LatencyAvgMs, long Transactions, string Command);

/// <summary>
/// The physical limit to compare against: pgbench running a durable single-row upsert (one commit, fsync on)
/// against the project's own PostgreSQL, with its own table created and dropped around it.
/// </summary>
public static partial class PgBench
{
    private const string Table = "bench_upsert";

    public static string? FindBinary()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin", "pgbench")));
        candidates.Add("/usr/bin/pgbench");
        return candidates.FirstOrDefault(File.Exists);
    }

    public static async Task<PgBenchResult> RunAsync(Secrets secrets, int seconds, int clients, CancellationToken ct)
    {
        var binary = FindBinary();
        if (binary is null) return new(false, "pgbench not found (package postgresql)", clients, seconds, 0, 0, 0, "");
        var script = Path.Combine(Path.GetTempPath(), $"sanmenxia-pgbench-{Environment.ProcessId}.sql");
        await File.WriteAllTextAsync(script,
            $"""
            \set id random(1, 10000000)
            insert into {Table}(id, v) values (:id, now()) on conflict (id) do update set v = excluded.v;
            """, ct);
        await using (var conn = new NpgsqlConnection(secrets.PgConnectionString))
        {
            await conn.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"drop table if exists {Table}; create table {Table}(id bigint primary key, v timestamptz not null)", conn);
            await create.ExecuteNonQueryAsync(ct);
        }
        var args = new[] { "-h", "127.0.0.1", "-p", secrets.PgPort.ToString(CultureInfo.InvariantCulture), "-U", "sanmenxia", "-n",
            "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", script, secrets.PgDatabase };
        // The result names the tool and its script by file name only: results are committed, and a machine's paths do not belong there.
        var command = $"pgbench {string.Join(' ', args.Select(a => a == script ? Path.GetFileName(script) : a))}";
        try
        {
            var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["PGPASSWORD"] = secrets.PgPassword;
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds + 60));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(); throw; }
            var output = await stdout + await stderr;
            if (process.ExitCode != 0) return new(false, "pgbench failed: " + output.Trim().Split('\n').LastOrDefault(), clients, seconds, 0, 0, 0, command);
            var tps = Tps().Match(output);
            var latency = Latency().Match(output);
            var tx = Transactions().Match(output);
            return new(true, null, clients, seconds,
                tps.Success ? Math.Round(double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture), 1) : 0,
                latency.Success ? double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
                tx.Success ? long.Parse(tx.Groups[1].Value, CultureInfo.InvariantCulture) : 0, command);
        }
        finally
        {
            File.Delete(script);
            await using var conn = new NpgsqlConnection(secrets.PgConnectionString);
            await conn.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"drop table if exists {Table}", conn);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex Latency();

    [GeneratedRegex(@"number of transactions actually processed: ([0-9]+)")]
    private static partial Regex Transactions();
}
