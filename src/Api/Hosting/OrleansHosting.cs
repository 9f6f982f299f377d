using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Sanmenxia.Platform.Options;
using Sanmenxia.Silo.Hosting;

namespace Sanmenxia.Api.Hosting;

/// <summary>Settings of the API process, section "Api".</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";
    /// <summary>Run a silo inside the API process (tests, single-process demos) instead of joining as a client.</summary>
    public bool CoHostSilo { get; set; }
    /// <summary>Largest request body accepted by default; CSV imports declare their own, larger limit.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;
    public long MaxImportBodyBytes { get; set; } = 64L * 1024 * 1024;
    /// <summary>
    /// Reverse proxies whose X-Forwarded-For/-Proto are believed, comma-separated addresses or CIDR networks (loopback
    /// only when listed); see ForwardedHeadersSetup.
    /// </summary>
    public string TrustedProxies { get; set; } = "";
}

public static class OrleansHosting
{
    /// <summary>Joins the cluster as a client (default) or co-hosts a silo, per Api:CoHostSilo.</summary>
    public static WebApplicationBuilder AddSanmenxiaOrleans(this WebApplicationBuilder builder)
    {
        var api = builder.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        var cluster = SanmenxiaClusterOptions.From(builder.Configuration);
        builder.Logging.AddSanmenxiaLogFilters();

        if (api.CoHostSilo)
        {
            builder.UseOrleans(silo => silo.AddSanmenxiaSilo(builder.Configuration));
            return builder;
        }

        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = cluster.ClusterId; o.ServiceId = cluster.ServiceId; });
            // ClientMessagingOptions, not the MessagingOptions base (which the client never reads: calls waited 30 s).
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
            // Stop routing to a dead gateway soon after it is declared dead: a hung one keeps its socket open, so the client
            // only learns from the gateway list (Orleans:FailureDetection:GatewayListRefresh, docs/operations.md).
            var detection = builder.Configuration.GetSection(FailureDetectionOptions.Section).Get<FailureDetectionOptions>() ?? new FailureDetectionOptions();
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = detection.GatewayListRefresh);
            // Storage failures from the silos arrive as NpgsqlException (→ 503 + Retry-After), not as a codec error.
            client.Services.AddSanmenxiaExceptionSerialization();
            if (cluster.Providers == ProviderMode.Memory)
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
            else
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresOptions.Invariant;
                    o.ConnectionString = PostgresOptions.RequireConnectionString(builder.Configuration);
                });
            if (cluster.Dashboard) client.AddDashboard();
        });
        return builder;
    }
}
