using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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

        // SIGTERM = graceful: the silo stops taking new clients, deactivates its grains (callers' next messages go to
        // new activations elsewhere) and marks itself dead in the membership table, within this time.
        var cluster = SanmenxiaClusterOptions.From(builder.Configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = cluster.ShutdownTimeout);
        builder.UseOrleans(silo => silo.AddSanmenxiaSilo(builder.Configuration));
        await builder.Build().RunAsync();
    }
}
