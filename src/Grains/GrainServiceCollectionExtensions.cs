using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sanmenxia.Grains.Audit;
using Sanmenxia.Grains.Checkpoints;
using Sanmenxia.Grains.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Security;

namespace Sanmenxia.Grains;

/// <summary>Settings of the day-close deadlines, section "Deadlines".</summary>
public sealed class DeadlineOptions
{
    public const string Section = "Deadlines";
    /// <summary>
    /// Residents' day-close reminders are spread over this (simulated) window after midnight, by a hash of
    /// the key, so 2.63M reminders do not fire in the same second. Codes are evaluated from dates, so a
    /// read before the reminder still shows the right colour.
    /// </summary>
    public TimeSpan SpreadAfterMidnight { get; set; } = TimeSpan.FromMinutes(60);
    /// <summary>How often a village pushes its counts up the tree at most.</summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How often a village or region pushes changed counts to its parent at most. Shorter than the dashboards'
    /// interval, because a change climbs four levels (village → township → county → city) before the city's screen:
    /// measured with 1 s at every level, event → screen was p99 3.6 s; 250 ms keeps it under the 2 s goal.
    /// </summary>
    public TimeSpan UpwardInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>How often a region or village upserts today's row of the daily history at most.</summary>
    public TimeSpan HistoryInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often a village retries writing summaries whose write failed (a report is written before it is acknowledged).</summary>
    public TimeSpan VillageSaveInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Settings of the co-traveler service, section "Trips".</summary>
public sealed class TripOptions
{
    public const string Section = "Trips";
    /// <summary>How long after travel a saved trip stays watched for publications.</summary>
    public int WatchDays { get; set; } = 14;
    /// <summary>Anonymous trip queries allowed per client address per minute.</summary>
    public int QueryPermitsPerMinute { get; set; } = 30;
}

public static class GrainServiceCollectionExtensions
{
    /// <summary>What grains need from the host: the clock, the policies, the pseudonymous key secret, the audit log.</summary>
    public static IServiceCollection AddSanmenxiaGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(Sanmenxia.Grains.Auth.SignInClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
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
        services.Configure<HealthCodePolicyOptions>(configuration.GetSection(HealthCodePolicyOptions.Section));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<HealthCodePolicyOptions>>().Value.ToPolicy());
        services.Configure<DeadlineOptions>(configuration.GetSection(DeadlineOptions.Section));
        services.Configure<TripOptions>(configuration.GetSection(TripOptions.Section));
        services.TryAddSingleton(_ => new PseudonymousKeys(configuration["Privacy:KeySecret"]
            ?? throw new InvalidOperationException("Privacy:KeySecret is not set (environment Privacy__KeySecret).")));
        services.TryAddSingleton<IAuditLog, InMemoryAuditLog>();
        services.TryAddSingleton<History.IRegionHistory, History.InMemoryRegionHistory>();
        services.TryAddSingleton<Villages.IVillageRoster, Villages.InMemoryVillageRoster>();
        services.AddSanmenxiaCheckpoints(configuration);
        return services;
    }
}

/// <summary>The health-code policy from configuration (section "HealthCode"); DOMAIN.md's choices are the defaults.</summary>
public sealed class HealthCodePolicyOptions
{
    public const string Section = "HealthCode";
    public decimal FeverThresholdCelsius { get; set; } = HealthCodePolicy.Default.FeverThresholdCelsius;
    public int YellowMissedDaysToRed { get; set; } = HealthCodePolicy.Default.YellowMissedDaysToRed;
    public int RedConsecutiveClockInsToGreen { get; set; } = HealthCodePolicy.Default.RedConsecutiveClockInsToGreen;
    public CodeColour IsolationColour { get; set; } = HealthCodePolicy.Default.IsolationColour;
    public CodeColour CloseContactColour { get; set; } = HealthCodePolicy.Default.CloseContactColour;
    public CodeColour FeverColour { get; set; } = HealthCodePolicy.Default.FeverColour;
    public CodeColour ObservationColour { get; set; } = HealthCodePolicy.Default.ObservationColour;
    public string TimeZoneId { get; set; } = HealthCodePolicy.Default.TimeZoneId;
    public int ObservationDays { get; set; } = HealthCodePolicy.Default.ObservationDays;

    public HealthCodePolicy ToPolicy()
    {
        var policy = new HealthCodePolicy
        {
            FeverThresholdCelsius = FeverThresholdCelsius, YellowMissedDaysToRed = YellowMissedDaysToRed,
            RedConsecutiveClockInsToGreen = RedConsecutiveClockInsToGreen, IsolationColour = IsolationColour,
            CloseContactColour = CloseContactColour, FeverColour = FeverColour, ObservationColour = ObservationColour,
            TimeZoneId = TimeZoneId, ObservationDays = ObservationDays,
        };
        var problems = policy.Validate();
        if (problems.Count > 0) throw new InvalidOperationException("HealthCode configuration is invalid: " + string.Join("; ", problems));
        return policy;
    }
}
