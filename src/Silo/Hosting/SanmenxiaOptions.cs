namespace Sanmenxia.Silo.Hosting;

/// <summary>Which backing store the cluster uses. Memory is for unit and grain tests only.</summary>
public enum ProviderMode { Postgres, Memory }

/// <summary>Cluster settings, section "Orleans". Every value can be set by environment (Orleans__SiloPort=11112).</summary>
public sealed class ClusterOptions
{
    public const string Section = "Orleans";
    public ProviderMode Providers { get; set; } = ProviderMode.Postgres;
    public string ClusterId { get; set; } = "sanmenxia";
    public string ServiceId { get; set; } = "sanmenxia";
    public string AdvertisedAddress { get; set; } = "127.0.0.1";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    /// <summary>Tuned liveness (see docs/operations.md): a crashed silo is declared dead in seconds, not a minute.</summary>
    public bool FastFailureDetection { get; set; } = true;
    /// <summary>How long a client waits for a grain call before it fails with a retryable timeout.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// How long a silo may take to stop gracefully on SIGTERM (hand its grains off, leave the membership table)
    /// before the host gives up. Below the 30 s after which ./sanmenxia and Kubernetes' default grace period SIGKILL it.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);
    /// <summary>Smallest reminder period accepted; lowered only for simulation runs and tests.</summary>
    public TimeSpan MinimumReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Connection to the store of record, section "Postgres".</summary>
public sealed class PostgresConnectionOptions
{
    public const string Section = "Postgres";
    public string ConnectionString { get; set; } = "";
}
