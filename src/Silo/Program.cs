using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Options;
using Sanmenxia.Silo.Hosting;

namespace Sanmenxia.Silo;

/// <summary>
/// A silo of the Sanmenxia cluster. Run 1..N of them against the same PostgreSQL database.
///   dotnet Sanmenxia.Silo.dll            run a silo
///   dotnet Sanmenxia.Silo.dll migrate    create the database if missing, apply migrations, exit
/// </summary>
public static class SiloProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        // The silo's own defaults; environment variables and arguments (added by the host builder) still win.
        var defaults = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = Path.Combine(AppContext.BaseDirectory, "silo.appsettings.json"), Optional = true, ReloadOnChange = false,
        };
        defaults.ResolveFileProvider();
        builder.Configuration.Sources.Insert(0, defaults);
        builder.Logging.AddSanmenxiaLogFilters();

        if (args.Contains("migrate"))
        {
            await SiloMigrations.RunAsync(builder.Configuration);
            return;
        }

        // A placeholder or short pseudonym secret would give every resident a guessable grain key: refuse to start.
        var refused = StartupSecrets.Problems(builder.Configuration, StartupSecrets.SiloKeys);
        if (refused.Count > 0)
        {
            using var loggers = LoggerFactory.Create(l => l.AddConsole());
            var log = loggers.CreateLogger("Sanmenxia.Silo");
            foreach (var problem in refused) log.LogCritical("Refusing to start: {Problem}", problem);
            Environment.ExitCode = 1;
            return;
        }

        // SIGTERM = graceful: the silo stops taking new clients, deactivates its grains (callers' next messages go to
        // new activations elsewhere) and marks itself dead in the membership table, within this time:
        // DOTNET_shutdownTimeoutSeconds when set, else Orleans:ShutdownTimeout (25 s).
        var cluster = SanmenxiaClusterOptions.From(builder.Configuration);
        var shutdown = SanmenxiaClusterOptions.EffectiveShutdownTimeout(builder.Configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
        builder.UseOrleans(silo => silo.AddSanmenxiaSilo(builder.Configuration));
        if (cluster.HealthPort > 0)
            builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<SiloHealthListener>(sp, cluster.AdvertisedAddress, cluster.HealthPort));
        // Last: every logger provider added so far goes behind the flood guard (a burst of one error is counted, not written).
        builder.Services.AddLogFloodGuard();
        await builder.Build().RunAsync();
    }
}
