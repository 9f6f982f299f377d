using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sanmenxia.Persistence;

/// <summary>One embedded schema script, <c>Migrations/NNNN_name.sql</c>.</summary>
/// <param name="Version">The NNNN prefix; scripts run in ascending order.</param>
/// <param name="Name">File name without extension, e.g. <c>0001_orleans_membership</c>.</param>
/// <param name="Sql">Script text (line endings normalised to LF).</param>
/// <param name="Checksum">SHA-256 of <paramref name="Sql"/>, lower-case hex.</param>
public sealed record Migration(int Version, string Name, string Sql, string Checksum);

/// <summary>
/// Applies the embedded schema scripts to a PostgreSQL database, each once, in version order.
/// Safe to call from several silos starting at the same time.
/// </summary>
public static partial class MigrationRunner
{
    /// <summary>Table recording applied scripts.</summary>
    public const string HistoryTable = "sanmenxia_schema_migrations";

    // Arbitrary constant shared by every runner: the advisory lock serialises concurrent runners.
    private const long AdvisoryLockKey = 0x53_616E_6D65_6E78; // "Sanmenx"

    private static readonly Lazy<IReadOnlyList<Migration>> s_migrations = new(LoadEmbedded);

    /// <summary>All embedded scripts, in version order.</summary>
    public static IReadOnlyList<Migration> Migrations => s_migrations.Value;

    /// <summary>
    /// Applies every embedded script not yet recorded in <see cref="HistoryTable"/>, each in its own
    /// transaction, and returns the names of the scripts applied (empty when already up to date).
    /// </summary>
    /// <exception cref="InvalidOperationException">An already applied script was changed afterwards.</exception>
    public static async Task<IReadOnlyList<string>> ApplyAsync(
        string connectionString, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var applied = new List<string>();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);

        // Created under the lock too: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
        await using (var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            await LockAsync(connection, tx, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, tx, $"""
                CREATE TABLE IF NOT EXISTS {HistoryTable}
                (
                    version    integer     NOT NULL PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }

        // One transaction per script, each taking the transaction-scoped advisory lock: a runner that
        // lost the race waits here, then sees the script recorded and skips it. Nothing is left
        // locked on the connection afterwards (unlike a session lock on a pooled connection).
        foreach (var migration in Migrations)
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await LockAsync(connection, tx, ct).ConfigureAwait(false);

            var recorded = await GetRecordedChecksumAsync(connection, tx, migration.Version, ct).ConfigureAwait(false);
            if (recorded is not null)
            {
                if (!string.Equals(recorded, migration.Checksum, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"Schema migration {migration.Name} was already applied to this database with checksum {recorded}, " +
                        $"but the embedded script now has checksum {migration.Checksum}. Applied migrations must never be edited: " +
                        "revert the change and add a new NNNN_*.sql migration instead.");
                }
                await tx.CommitAsync(ct).ConfigureAwait(false);
                continue;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await ExecuteAsync(connection, tx, migration.Sql, ct).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException($"Schema migration {migration.Name} failed: {ex.MessageText}", ex);
            }

            await using (var record = new NpgsqlCommand(
                $"INSERT INTO {HistoryTable} (version, name, checksum) VALUES ($1, $2, $3)", connection, tx))
            {
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Checksum });
                await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);

            applied.Add(migration.Name);
            logger?.LogInformation("Applied schema migration {Migration} in {ElapsedMs:F0} ms",
                migration.Name, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        await WarnAboutUnknownAsync(connection, logger, ct).ConfigureAwait(false);
        if (applied.Count == 0)
        {
            logger?.LogDebug("Database schema is up to date ({Count} migrations)", Migrations.Count);
        }
        return applied;
    }

    /// <summary>
    /// Creates the database named in <paramref name="connectionString"/> if it does not exist, by connecting
    /// to the <c>postgres</c> maintenance database with the same server and credentials.
    /// Returns true if it created the database.
    /// </summary>
    public static async Task<bool> EnsureDatabaseAsync(
        string connectionString, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var database = target.Database;
        if (string.IsNullOrEmpty(database))
        {
            throw new ArgumentException("The connection string names no Database.", nameof(connectionString));
        }

        // No pooling: the maintenance connection is one-off and must not linger in a pool.
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);

        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = database });
            if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null)
            {
                return false;
            }
        }

        try
        {
            // CREATE DATABASE takes no parameters: the name is quoted as an identifier instead.
            await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(database)}", connection);
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            return false; // another process created it between our check and our CREATE
        }
        logger?.LogInformation("Created database {Database}", database);
        return true;
    }

    /// <summary>Quotes a PostgreSQL identifier (doubling embedded quotes).</summary>
    public static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", connection, tx);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        // Scripts may create indexes on big tables: no client-side timeout.
        await using var command = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<string?> GetRecordedChecksumAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, int version, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT checksum FROM {HistoryTable} WHERE version = $1", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    // A database migrated by a newer build (rolling upgrade): not an error, but worth a line in the log.
    private static async Task WarnAboutUnknownAsync(NpgsqlConnection connection, ILogger? logger, CancellationToken ct)
    {
        if (logger is null)
        {
            return;
        }
        await using var command = new NpgsqlCommand($"SELECT name FROM {HistoryTable} WHERE version > $1 ORDER BY version", connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Migrations.Count == 0 ? 0 : Migrations[^1].Version });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            logger.LogWarning("Database has schema migration {Migration} which this build does not know", reader.GetString(0));
        }
    }

    private static IReadOnlyList<Migration> LoadEmbedded()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success)
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded resource {resource} cannot be read.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            // Normalise line endings so a checkout with CRLF does not look like an edited script.
            var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            var name = match.Groups["name"].Value;
            migrations.Add(new Migration(int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture), name, sql, checksum));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Two schema migrations share version {migrations[i].Version}: {migrations[i - 1].Name}, {migrations[i].Name}.");
            }
        }
        return migrations;
    }

    [GeneratedRegex(@"\.Migrations\.(?<name>(?<version>\d{4})_[A-Za-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();
}
