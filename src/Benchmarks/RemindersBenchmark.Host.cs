using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sanmenxia.Silo.Hosting;

namespace Sanmenxia.Benchmarks;

/// <summary>The silo under test: wired by AddSanmenxiaSilo on the benchmark's database with the simulation clock and the tick probe.</summary>
public sealed partial class RemindersBenchmark
{
    private IHost BuildSilo(string connectionString, DateTimeOffset anchorReal, DateTimeOffset anchorSim, TickProbe probe)
    {
        var clusterId = "bench-" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        var configuration = new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = connectionString,
            ["Orleans:Providers"] = "Postgres",
            ["Orleans:ClusterId"] = clusterId, // a fresh cluster each run: no dead silos of earlier runs to probe
            ["Orleans:ServiceId"] = ServiceId, // reminders belong to the service, not the cluster
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:MinimumReminderPeriod"] = "00:00:01",
            ["Privacy:KeySecret"] = KeySecret,
            ["Simulation:Enabled"] = "true",
            ["Simulation:Speed"] = settings.Speed.ToString(CultureInfo.InvariantCulture),
            ["Simulation:AnchorRealTime"] = anchorReal.ToString("O", CultureInfo.InvariantCulture),
            ["Simulation:AnchorSimulatedTime"] = anchorSim.ToString("O", CultureInfo.InvariantCulture),
            ["Deadlines:SpreadAfterMidnight"] = TimeSpan.FromMinutes(settings.SpreadMinutes).ToString(),
        };
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddSanmenxiaLogFilters();
        builder.UseOrleans(silo =>
        {
            silo.AddSanmenxiaSilo(builder.Configuration);
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(probe);
        });
        return builder.Build();
    }

    private static async Task StopAsync(IHost host)
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            host.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Sanmenxia.Orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("run from inside the repository (Sanmenxia.Orleans.sln not found)");
    }
}
