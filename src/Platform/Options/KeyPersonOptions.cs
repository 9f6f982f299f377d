using Sanmenxia.KeyPersons;

namespace Sanmenxia.Platform.Options;

/// <summary>Settings of the key-person register (platform 4), section "KeyPersons".</summary>
public sealed class KeyPersonOptions
{
    public const string Section = "KeyPersons";

    /// <summary>
    /// How long (domain time) village staff have to confirm or dismiss a possible exposure (a pending entry) before it is
    /// overdue and escalated to the township.
    /// </summary>
    public TimeSpan PendingDecisionWithin { get; set; } = PendingDecision.DefaultWithin;

    /// <summary>
    /// How long (real time) the decision reminder may wait before its first tick. Unset: it ticks at the deadline. Tests
    /// driving a fake domain clock set a second, so a jump of the clock is noticed by the reminder.
    /// </summary>
    public TimeSpan? MaxReminderDelay { get; set; }

    /// <summary>Period of the decision reminder after its first tick (domain time; a safety net, at least Orleans:MinimumReminderPeriod).</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromHours(1);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (PendingDecisionWithin < TimeSpan.FromMinutes(1) || PendingDecisionWithin > TimeSpan.FromDays(14))
            problems.Add($"PendingDecisionWithin {PendingDecisionWithin} must be between 1 minute and 14 days.");
        if (MaxReminderDelay is { } cap && cap <= TimeSpan.Zero) problems.Add("MaxReminderDelay must be positive when set.");
        if (ReminderPeriod <= TimeSpan.Zero) problems.Add("ReminderPeriod must be positive.");
        return problems;
    }
}
