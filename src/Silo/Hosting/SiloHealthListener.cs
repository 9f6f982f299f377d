using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Sanmenxia.Silo.Hosting;

/// <summary>
/// A small HTTP listener for probes and operators (Orleans:HealthPort, off when 0), on the silo's advertised address:
/// <list type="bullet">
/// <item><c>/health/ready</c>: 200 while this silo is Active in the cluster's membership, else 503 (joining, shutting
/// down, declared dead). A hung process does not answer at all, so the probe fails, unlike a TCP probe of the silo port
/// (the kernel accepts connections for a stopped process).</item>
/// <item><c>/health/live</c>: 200 unless the cluster declared this silo dead (it then stops by itself; the probe makes
/// sure it is restarted if it does not).</item>
/// <item><c>/health/grains</c>: this silo's activations by grain type (./sanmenxia status shows the spread).</item>
/// </list>
/// </summary>
public sealed class SiloHealthListener(
    string address, int port, IClusterMembershipService membership, ILocalSiloDetails local, IGrainFactory grains,
    ILogger<SiloHealthListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://{address}:{port}/");
        try { listener.Start(); }
        catch (HttpListenerException e)
        {
            logger.LogError("Silo health listener cannot listen on {Address}:{Port}: {Message}", address, port, e.Message);
            return;
        }
        logger.LogInformation("Silo health listener on http://{Address}:{Port}/health/ready", address, port);
        using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { break; }
            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
            var (code, body) = context.Request.Url?.AbsolutePath switch
            {
                "/health/ready" => (status == SiloStatus.Active ? 200 : 503, (object)new { status = status.ToString(), silo = local.SiloAddress.ToString() }),
                "/health/live" => (status == SiloStatus.Dead ? 503 : 200, new { status = status.ToString(), silo = local.SiloAddress.ToString() }),
                "/health/grains" => (200, await GrainsAsync()),
                _ => (404, new { status = "not found" }),
            };
            context.Response.StatusCode = code;
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.OutputStream, body);
        }
        catch (Exception e)
        {
            logger.LogWarning("Silo health request failed: {Error}", e.GetType().Name);
            context.Response.StatusCode = 503;
        }
        finally
        {
            context.Response.Close();
        }
    }

    /// <summary>This silo's activation count per grain type (short names: village, region, resident...).</summary>
    private async Task<object> GrainsAsync()
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([local.SiloAddress]).WaitAsync(TimeSpan.FromSeconds(3));
        var byType = statistics
            .GroupBy(s => ShortName(s.GrainType))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount), StringComparer.Ordinal);
        return new { silo = local.SiloAddress.ToString(), activations = byType };
    }

    /// <summary>Sanmenxia.Grains.Villages.VillageGrain → village.</summary>
    private static string ShortName(string grainType)
    {
        var name = grainType.Split(',')[0];
        name = name[(name.LastIndexOf('.') + 1)..];
        if (name.EndsWith("Grain", StringComparison.Ordinal)) name = name[..^"Grain".Length];
        return name.Length == 0 ? grainType : char.ToLowerInvariant(name[0]) + name[1..];
    }
}
