using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Security;

namespace Sanmenxia.Platform.Hosting;

public static class PlatformServiceCollectionExtensions
{
    /// <summary>
    /// What every process of the system shares: the domain clock and calendar, the policies and options, the
    /// pseudonymous key secret, and the stores (in memory for Orleans:Providers=Memory; in PostgreSQL mode the host
    /// registers the durable ones with Sanmenxia.Persistence's AddSanmenxiaPostgresStores, and a store that was
    /// forgotten refuses to work rather than keep records in memory).
    /// </summary>
    public static IServiceCollection AddSanmenxiaPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSanmenxiaDomainClock(configuration);
        services.Configure<HealthCodePolicyOptions>(configuration.GetSection(HealthCodePolicyOptions.Section));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<HealthCodePolicyOptions>>().Value.ToPolicy());
        services.TryAddSingleton<DomainCalendar>();
        services.Configure<DeadlineOptions>(configuration.GetSection(DeadlineOptions.Section));
        services.TryAddSingleton<DayCloseThrottle>();
        services.TryAddSingleton<VillageLoadThrottle>();
        services.TryAddSingleton<RollupPullThrottle>();
        services.Configure<TripOptions>(configuration.GetSection(TripOptions.Section));
        services.Configure<CheckpointOptions>(configuration.GetSection(CheckpointOptions.Section));
        services.Configure<TicketOptions>(configuration.GetSection(TicketOptions.Section));
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section))
            .Validate(o => o.Validate().Count == 0, "Retention configuration is invalid (docs/data-governance.md)").ValidateOnStart();
        services.Configure<RequestOptions>(configuration.GetSection(RequestOptions.Section));
        services.AddOptions<KeyPersonOptions>().Bind(configuration.GetSection(KeyPersonOptions.Section))
            .Validate(o => o.Validate().Count == 0, "KeyPersons configuration is invalid: PendingDecisionWithin must be between 1 minute and 14 days, "
                + "MaxReminderDelay and ReminderPeriod positive")
            .ValidateOnStart();
        services.TryAddSingleton(_ => new PseudonymousKeys(configuration["Privacy:KeySecret"]
            ?? throw new InvalidOperationException("Privacy:KeySecret is not set (environment Privacy__KeySecret).")));
        if (SanmenxiaClusterOptions.From(configuration).Providers == ProviderMode.Memory)
        {
            services.TryAddSingleton<IAuditLog, InMemoryAuditLog>();
            services.TryAddSingleton<IPassStore, InMemoryPassStore>();
            services.TryAddSingleton<IRegionHistory, InMemoryRegionHistory>();
            services.TryAddSingleton<IVillageRoster, InMemoryVillageRoster>();
            services.TryAddSingleton<ITicketStore, InMemoryTicketStore>();
            services.TryAddSingleton<IRetentionStore>(sp => new InMemoryRetentionStore(sp.GetRequiredService<ITicketStore>(), sp.GetRequiredService<IPassStore>()));
            services.TryAddSingleton<ICodeSigningKeyStore, InMemoryCodeSigningKeyStore>();
            services.TryAddSingleton<IVillageContactStore, InMemoryVillageContactStore>();
            services.TryAddSingleton<ITokenRevocationStore, InMemoryTokenRevocationStore>();
        }
        else
        {
            services.TryAddSingleton<IAuditLog>(_ => throw StoreMissing<IAuditLog>());
            services.TryAddSingleton<IPassStore>(_ => throw StoreMissing<IPassStore>());
            services.TryAddSingleton<IRegionHistory>(_ => throw StoreMissing<IRegionHistory>());
            services.TryAddSingleton<IVillageRoster>(_ => throw StoreMissing<IVillageRoster>());
            services.TryAddSingleton<ITicketStore>(_ => throw StoreMissing<ITicketStore>());
            services.TryAddSingleton<IRetentionStore>(_ => throw StoreMissing<IRetentionStore>());
            services.TryAddSingleton<ICodeSigningKeyStore>(_ => throw StoreMissing<ICodeSigningKeyStore>());
            services.TryAddSingleton<IVillageContactStore>(_ => throw StoreMissing<IVillageContactStore>());
            services.TryAddSingleton<ITokenRevocationStore>(_ => throw StoreMissing<ITokenRevocationStore>());
        }
        // The Open311 search is the tickets store's (the in-memory double or the PostgreSQL store, whichever is registered).
        services.TryAddSingleton<ITicketSearch>(sp => sp.GetRequiredService<ITicketStore>() as ITicketSearch
            ?? throw new InvalidOperationException("The registered ITicketStore does not implement ITicketSearch (Open311 GET requests)."));
        return services;
    }

    /// <summary>
    /// The process clock (real time, for Orleans, tokens and audit times) and the keyed domain clock of the epidemic's
    /// world: real time, or the simulation clock when Simulation:Enabled. Tests replace the keyed clock with a fake one.
    /// </summary>
    public static IServiceCollection AddSanmenxiaDomainClock(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Sign-in limits run on real time like token lifetimes; tests that cross their windows fake this clock alone.
        services.TryAddKeyedSingleton(SignInClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        // Request deadlines and idempotency windows: real time too (RequestClock).
        services.TryAddKeyedSingleton(RequestClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        var simulation = configuration.GetSection(SimulationOptions.Section).Get<SimulationOptions>() ?? new SimulationOptions();
        if (simulation.Enabled)
        {
            services.TryAddKeyedSingleton<TimeProvider>(DomainClock.Key, new SimulationClock(simulation));
            services.TryAddSingleton(new TimeScale(simulation.Speed));
        }
        else
        {
            services.TryAddKeyedSingleton(DomainClock.Key, TimeProvider.System);
            services.TryAddSingleton(TimeScale.RealTime);
        }
        return services;
    }

    private static StoreMissingException StoreMissing<T>() => new(
        $"Orleans:Providers=Postgres but no durable {typeof(T).Name} is registered: call services.AddSanmenxiaPostgresStores(configuration) in the host.");
}

/// <summary>Thrown when a process in PostgreSQL mode has no durable store registered for records it must keep.</summary>
public sealed class StoreMissingException(string message) : InvalidOperationException(message);
