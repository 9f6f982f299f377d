using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.HealthCode;

namespace Sanmenxia.Platform.Time;

/// <summary>
/// The one calendar of the epidemic's world: the domain clock (real, simulated, or a test's fake clock) read
/// through the configured policy's time zone, so every "today" in the system is the same calendar day in
/// Asia/Shanghai (or whatever HealthCode:TimeZoneId says), never UTC's.
/// </summary>
public sealed class DomainCalendar([FromKeyedServices(DomainClock.Key)] TimeProvider clock, HealthCodePolicy policy)
{
    /// <summary>The configured health-code policy, whose time zone this calendar keeps.</summary>
    public HealthCodePolicy Policy { get; } = policy;

    /// <summary>The domain clock itself, for the few callers that need timers or timestamps from it.</summary>
    public TimeProvider Clock { get; } = clock;

    /// <summary>The current instant of the epidemic's world.</summary>
    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Today's calendar day in the policy's time zone.</summary>
    public DateOnly Today => HealthCodeRules.Today(Policy, Now);

    /// <summary>The calendar day of an instant in the policy's time zone.</summary>
    public DateOnly DayOf(DateTimeOffset instant) => HealthCodeRules.Today(Policy, instant);

    /// <summary>The instant a calendar day ends (the next day's local midnight).</summary>
    public DateTimeOffset EndOfDay(DateOnly day) => HealthCodeRules.EndOfDay(Policy, day);

    /// <summary>The instant a calendar day starts (its local midnight).</summary>
    public DateTimeOffset StartOfDay(DateOnly day) => HealthCodeRules.EndOfDay(Policy, day.AddDays(-1));
}
