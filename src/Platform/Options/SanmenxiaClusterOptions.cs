using Microsoft.Extensions.Configuration;

namespace Sanmenxia.Platform.Options;

/// <summary>Which backing store the cluster uses. Memory is for unit and grain tests only.</summary>
public enum ProviderMode { Postgres, Memory }

/// <summary>
/// Which grain storage provider writes <c>orleans_grain_state</c> (both use the same table, keys and versions, so a
/// system can switch between them on the same data). See docs/benchmarks.md, "Group-commit grain storage".
/// </summary>
public enum GrainStorageMode
{
    /// <summary>Group commit on Npgsql: concurrent grains' writes share one statement and one commit (Sanmenxia.Persistence.BatchingGrainStorage).</summary>
    Batched,
    /// <summary>The stock Orleans ADO.NET provider: one transaction per write.</summary>
    AdoNet,
}

/// <summary>
/// Which reminder table writes <c>orleans_reminder</c> (both use the same table, columns and versions, so a system can
/// switch between them on the same data). See docs/benchmarks.md, "Group-commit reminder table".
/// </summary>
public enum ReminderTableMode
{
    /// <summary>Group commit on Npgsql: concurrent upserts share one statement and one commit (Sanmenxia.Persistence.Reminders).</summary>
    Batched,
    /// <summary>The stock Orleans ADO.NET reminder provider: one transaction per upsert.</summary>
    AdoNet,
}

/// <summary>Cluster settings, section "Orleans". Every value can be set by environment (Orleans__SiloPort=11112).</summary>
// Not named ClusterOptions: Orleans.Configuration has one, and both are configured side by side.
public sealed class SanmenxiaClusterOptions
{
    public const string Section = "Orleans";

    /// <summary>The section as bound now (hosting code reads it before the container is built).</summary>
    public static SanmenxiaClusterOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<SanmenxiaClusterOptions>() ?? new SanmenxiaClusterOptions();

    public ProviderMode Providers { get; set; } = ProviderMode.Postgres;
    /// <summary>Grain storage provider when <see cref="Providers"/> is Postgres (Orleans:GrainStorage = Batched | AdoNet).</summary>
    public GrainStorageMode GrainStorage { get; set; } = GrainStorageMode.Batched;
    /// <summary>
    /// Reminder table when <see cref="Providers"/> is Postgres (Orleans:ReminderTable = Batched | AdoNet). Not
    /// "Orleans:Reminders": Orleans itself reads any section of that name as a reminder provider's configuration.
    /// </summary>
    public ReminderTableMode ReminderTable { get; set; } = ReminderTableMode.Batched;
    public string ClusterId { get; set; } = "sanmenxia";
    public string ServiceId { get; set; } = "sanmenxia";
    public string AdvertisedAddress { get; set; } = "127.0.0.1";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    /// <summary>
    /// Port of the silo's HTTP health listener on <see cref="AdvertisedAddress"/> (/health/ready, /health/live,
    /// /health/grains), for probes and ./sanmenxia status; 0 = none.
    /// </summary>
    public int HealthPort { get; set; }
    /// <summary>
    /// How long a caller (the API's client, or a grain calling another) waits for a grain call before it fails with a
    /// retryable timeout (503). It bounds how long a call in flight on a crashed silo waits: the client cannot know which
    /// silo a call went to, so nothing fails it earlier. Orleans checks timeouts about once a second, so 3 s keeps a crash's window
    /// under 5 s (docs/operations.md); setup calls of a whole tree or household declare their own [ResponseTimeout].
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>
    /// How long a silo may take to stop gracefully on SIGTERM (hand its grains off, leave the membership table)
    /// before the host gives up. Below the 30 s after which ./sanmenxia and Kubernetes' default grace period SIGKILL it.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// The graceful-stop time the host uses: the .NET host's own setting when given (environment
    /// <c>DOTNET_shutdownTimeoutSeconds</c>, which Kubernetes manifests set beside terminationGracePeriodSeconds), else
    /// <see cref="ShutdownTimeout"/> (Orleans:ShutdownTimeout, default 25 s).
    /// </summary>
    public static TimeSpan EffectiveShutdownTimeout(IConfiguration configuration) =>
        int.TryParse(configuration["shutdownTimeoutSeconds"], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : From(configuration).ShutdownTimeout;
    /// <summary>Smallest reminder period accepted; lowered only for simulation runs and tests.</summary>
    public TimeSpan MinimumReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// Above this share of the machine's memory (percent) the silo deactivates idle grains early, down to
    /// <see cref="MemoryTargetPercent"/>; 0 turns it off. A safety valve: residents are collected after 90 idle seconds anyway.
    /// </summary>
    public int MemoryLimitPercent { get; set; } = 80;
    public int MemoryTargetPercent { get; set; } = 70;
    /// <summary>
    /// Runs the Orleans dashboard (silo metrics collection, a grain-call filter on every call, and /ops/orleans/ in the
    /// API). Off by default: an outside profile found its per-call filter and once-a-second walk over every activation
    /// take ~20 % of a loaded silo's CPU and hold the lock new activations wait on. Operators turn it on to look, then off.
    /// </summary>
    public bool Dashboard { get; set; }
    /// <summary>How often idle grains are collected; below the shortest collection age (residents: 90 s).</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromSeconds(30);
}
