using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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
        builder.Logging.AddSanmenxiaLogFilters();

        if (args.Contains("migrate"))
        {
            await SiloMigrations.RunAsync(builder.Configuration);
            return;
        }

        builder.UseOrleans(silo => silo.AddSanmenxiaSilo(builder.Configuration));
        await builder.Build().RunAsync();
    }
}
