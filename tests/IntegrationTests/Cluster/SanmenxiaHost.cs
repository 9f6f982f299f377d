using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Silo.Hosting;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>
/// A real silo wired exactly as the Silo host wires it (AddSanmenxiaSilo: ADO.NET clustering, grain
/// storage and reminders on PostgreSQL), started and stopped by the test.
/// </summary>
public sealed class SanmenxiaHost : IAsyncDisposable
{
    private readonly IHost _host;

    private SanmenxiaHost(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();
    public IServiceProvider Services => _host.Services;

    /// <param name="configure">Test-only additions to the silo (a fault-injecting grain call filter, say), after the real wiring.</param>
    public static async Task<SanmenxiaHost> StartAsync(string connectionString, string clusterId, IDictionary<string, string?>? extra = null,
        Action<ISiloBuilder>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = connectionString,
            ["Orleans:Providers"] = "Postgres",
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = clusterId,
            ["Orleans:SiloPort"] = ApiFactory.FreePort().ToString(),
            ["Orleans:GatewayPort"] = ApiFactory.FreePort().ToString(),
            ["Orleans:MinimumReminderPeriod"] = "00:00:01",
            ["Privacy:KeySecret"] = "cluster-test-key-secret-0123456789",
            ["Deadlines:RollupInterval"] = "00:00:00.200",
            ["Deadlines:VillageSaveInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddSanmenxiaLogFilters();
        builder.UseOrleans(silo =>
        {
            silo.AddSanmenxiaSilo(builder.Configuration);
            configure?.Invoke(silo);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new SanmenxiaHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }
}
