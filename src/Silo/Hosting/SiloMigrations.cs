using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Sanmenxia.Persistence;
using Sanmenxia.Platform.Options;

namespace Sanmenxia.Silo.Hosting;

public static class SiloMigrations
{
    /// <summary>Creates the database if needed and applies pending migrations (safe to run from several silos at once).</summary>
    public static async Task RunAsync(IConfiguration configuration, CancellationToken ct = default)
    {
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggerFactory.CreateLogger("Sanmenxia.Migrations");
        var connectionString = PostgresOptions.RequireConnectionString(configuration);
        await MigrationRunner.EnsureDatabaseAsync(connectionString, logger, ct);
        var applied = await MigrationRunner.ApplyAsync(connectionString, logger, ct);
        logger.LogInformation("Migrations applied: {Count} ({Names})", applied.Count, string.Join(", ", applied));
    }
}
