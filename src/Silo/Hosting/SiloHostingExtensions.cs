using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Sanmenxia.Persistence;
using Sanmenxia.Persistence.BatchingGrainStorage;
using Sanmenxia.Residents;
using Orleans.Serialization;
using Npgsql;
using Sanmenxia.Grains;
using Sanmenxia.Grains.Regions;
using Sanmenxia.Persistence.Hosting;
using Sanmenxia.Persistence.Reminders;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Options;

namespace Sanmenxia.Silo.Hosting;

/// <summary>
/// The silo's wiring, one small method per concern, so a host's Program.cs reads like a table of contents.
/// Used by the Silo host, by the API host when it co-hosts a silo, and by the tests.
/// </summary>
public static class SiloHostingExtensions
{
    public static ISiloBuilder AddSanmenxiaSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = SanmenxiaClusterOptions.From(configuration);
        silo.Services.AddSanmenxiaPlatform(configuration);
        silo.Services.AddSanmenxiaExceptionSerialization();
        silo.AddSanmenxiaClustering(cluster, configuration)
            .AddSanmenxiaStorage(cluster, configuration)
            .AddSanmenxiaReminders(cluster, configuration);
        silo.AddSanmenxiaRetentionSchedule();
        silo.AddSanmenxiaRollupRecovery();
        // Opt-in (Orleans:Dashboard): when off, no metrics walk and no per-call filter run in the silo.
        if (cluster.Dashboard) silo.AddDashboard();
        return silo;
    }

    /// <summary>
    /// Every silo makes sure the daily retention job's reminder is registered once it is active (idempotent; a failure
    /// is logged and the next silo start, or an administrator's run, registers it).
    /// </summary>
    public static ISiloBuilder AddSanmenxiaRetentionSchedule(this ISiloBuilder silo) =>
        silo.AddStartupTask(async (services, _) =>
        {
            try
            {
                await services.GetRequiredService<IGrainFactory>().GetGrain<Sanmenxia.Retention.IRetentionGrain>(Sanmenxia.Retention.IRetentionGrain.Key)
                    .EnsureScheduledAsync();
            }
            catch (Exception e)
            {
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Sanmenxia.Retention")
                    .LogWarning("The retention job's reminder could not be registered at start: {Error}", e.GetType().Name);
            }
        });

    /// <summary>
    /// When another silo is declared dead, this silo wakes the regions its roll-up nodes report to, so a parent that died
    /// holding a child's counts it had not pushed up is brought back (<see cref="RollupRecovery"/>; docs/dashboard.md, "Recovery").
    /// </summary>
    public static ISiloBuilder AddSanmenxiaRollupRecovery(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton<RollupParents>();
        silo.Services.TryAddSingleton<RollupRecovery>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RollupRecovery>());
        return silo;
    }

    public static ISiloBuilder AddSanmenxiaClustering(this ISiloBuilder silo, SanmenxiaClusterOptions cluster, IConfiguration configuration)
    {
        silo.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = cluster.ClusterId; o.ServiceId = cluster.ServiceId; });
        // SiloMessagingOptions, not the MessagingOptions base: the silo reads only its own options type.
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
        silo.Configure<GrainCollectionOptions>(o => o.CollectionQuantum = cluster.CollectionQuantum);
        if (cluster.MemoryLimitPercent > 0)
        {
            silo.Configure<GrainCollectionOptions>(o =>
            {
                o.EnableActivationSheddingOnMemoryPressure = true;
                o.MemoryUsageLimitPercentage = cluster.MemoryLimitPercent;
                o.MemoryUsageTargetPercentage = cluster.MemoryTargetPercent;
            });
        }
        if (cluster.Providers == ProviderMode.Memory)
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            return silo;
        }

        silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: false);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresOptions.Invariant;
            o.ConnectionString = PostgresOptions.RequireConnectionString(configuration);
        });
        silo.AddSanmenxiaFailureDetection(configuration);
        return silo;
    }

    /// <summary>
    /// Membership probing from Orleans:FailureDetection (docs/operations.md, "Failure detection"): a crashed silo is
    /// declared dead in about 1.5 s (its probes are refused at once), a hung one after MissedProbesLimit probes of
    /// at most MaxProbeTimeout each (Orleans adapts the timeout to observed answer times), confirmed by VotesForDeath silos.
    /// </summary>
    public static ISiloBuilder AddSanmenxiaFailureDetection(this ISiloBuilder silo, IConfiguration configuration)
    {
        var detection = configuration.GetSection(FailureDetectionOptions.Section).Get<FailureDetectionOptions>() ?? new FailureDetectionOptions();
        if (!detection.Enabled) return silo;
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = detection.ProbeTimeout;
            o.MaxProbeTimeout = detection.MaxProbeTimeout < detection.ProbeTimeout ? detection.ProbeTimeout : detection.MaxProbeTimeout;
            o.NumMissedProbesLimit = detection.MissedProbesLimit;
            o.NumVotesForDeathDeclaration = detection.VotesForDeath;
            o.DeathVoteExpirationTimeout = detection.DeathVoteExpiration;
            o.ExtendProbeTimeoutDuringDegradation = detection.ExtendProbeTimeoutWhenDegraded;
            o.EnableIndirectProbes = detection.IndirectProbes;
            o.IAmAliveTablePublishTimeout = detection.IAmAlivePublish;
            o.TableRefreshTimeout = detection.TableRefresh;
        });
        return silo;
    }

    public static ISiloBuilder AddSanmenxiaStorage(this ISiloBuilder silo, SanmenxiaClusterOptions cluster, IConfiguration configuration)
    {
        if (cluster.Providers == ProviderMode.Memory)
        {
            // Orleans' binary serializer here too, not the JSON default: Newtonsoft populates existing objects, so reading
            // a state back (a reactivated resident) wrote into the shared HealthCodeState.NotApplied instance, and every
            // resident created after it started out "already applied".
            silo.AddMemoryGrainStorage(StorageNames.Default, (OptionsBuilder<MemoryGrainStorageOptions> options) => options.Configure<IServiceProvider>(
                (o, services) => o.GrainStorageSerializer = ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(services)));
            return silo;
        }

        // The process's one connection pool and the project's own tables: checkpoint passes, the daily region history,
        // each village's resident rows, the audit log (each written in batches, acknowledged after commit).
        silo.Services.AddSanmenxiaPostgresStores(configuration);
        // Grain state (Orleans:GrainStorage): the group-commit provider (default) or the stock ADO.NET one, on the same
        // table, keys and versions, both with the binary serializer, so either reads what the other wrote (docs/benchmarks.md).
        if (cluster.GrainStorage == GrainStorageMode.Batched)
        {
            // Tuning in section Orleans:BatchedGrainStorage (WriteConcurrency, MaxWriteBatch, BatchReads...).
            var batching = configuration.GetSection("Orleans:BatchedGrainStorage").Get<BatchingGrainStorageOptions>() ?? new BatchingGrainStorageOptions();
            silo.Services.AddGrainStorage(StorageNames.Default, (services, name) => new BatchingGrainStorage(
                name,
                services.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId,
                batching,
                services.GetRequiredService<NpgsqlDataSource>(),
                ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(services),
                services.GetRequiredService<IActivatorProvider>(),
                new VillageResidentRows(services.GetRequiredService<Serializer<ResidentSummary>>()),
                services.GetRequiredService<ILogger<BatchingGrainStorage>>()));
            // This storage writes each resident's village row with the resident's state (one commit per clock-in), so
            // the villages stop writing rows themselves and acknowledge reports at once (docs/operations.md).
            silo.Services.Configure<VillageRosterOptions>(o => o.RowsStoredWithResidentState = true);
            return silo;
        }
        // Orleans' own binary serializer: compact, fast, and version-tolerant through the [Id] numbers on
        // every state member, so fields can be added without a migration.
        silo.AddAdoNetGrainStorage(StorageNames.Default, options => options.Configure<IServiceProvider>((o, services) =>
        {
            o.Invariant = PostgresOptions.Invariant;
            o.ConnectionString = PostgresOptions.RequireConnectionString(configuration);
            o.GrainStorageSerializer = ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(services);
        }));
        return silo;
    }

    public static ISiloBuilder AddSanmenxiaReminders(this ISiloBuilder silo, SanmenxiaClusterOptions cluster, IConfiguration configuration)
    {
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = cluster.MinimumReminderPeriod);
        if (cluster.Providers == ProviderMode.Memory)
        {
            silo.UseInMemoryReminderService();
            return silo;
        }
        if (cluster.ReminderTable == ReminderTableMode.Batched)
        {
            // Group commit (Orleans:BatchedReminders: WriteConcurrency, MaxWriteBatch) on the process's one data source,
            // same orleans_reminder rows as the stock provider (docs/benchmarks.md, "Group-commit reminder table").
            silo.Services.AddSanmenxiaPostgresStores(configuration);
            var batching = configuration.GetSection("Orleans:BatchedReminders").Get<BatchingReminderTableOptions>() ?? new BatchingReminderTableOptions();
            silo.AddReminders();
            silo.Services.AddSingleton<IReminderTable>(services => new BatchingReminderTable(
                services.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId,
                batching,
                services.GetRequiredService<NpgsqlDataSource>(),
                services.GetRequiredService<ILogger<BatchingReminderTable>>()));
            return silo;
        }
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = PostgresOptions.Invariant;
            o.ConnectionString = PostgresOptions.RequireConnectionString(configuration);
        });
        return silo;
    }

    /// <summary>
    /// Orleans serializes only exceptions of well-known namespaces; anything else reaches the caller as a
    /// CodecNotFoundException. Let the store's own failures (NpgsqlException, PostgresException) cross from silo
    /// to client as themselves, so the API can answer 503 + Retry-After while PostgreSQL is down. Both the silos and
    /// the API's client call this.
    /// </summary>
    public static IServiceCollection AddSanmenxiaExceptionSerialization(this IServiceCollection services) =>
        services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));

    /// <summary>Placement logs every activation through Polly at Information; keep the logs for what matters.</summary>
    public static ILoggingBuilder AddSanmenxiaLogFilters(this ILoggingBuilder logging)
    {
        logging.AddFilter("Polly", LogLevel.Warning);
        logging.AddFilter("Orleans.Runtime.Placement", LogLevel.Warning);
        return logging;
    }
}
