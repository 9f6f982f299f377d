using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;

namespace Sanmenxia.Grains.Residents;

/// <summary>
/// A resident's reminder for the village's decision on a possible exposure: registered only while a pending entry waits
/// and is not yet overdue, due at the earliest such deadline (a 24 h deadline falls mid-day, which the day-close reminder
/// would see only after midnight). Its tick marks the entries whose deadline passed overdue, from the stored instants
/// (so one missed while the cluster was down is acted on at the next tick, a read, or the next day close), then moves
/// the reminder to the next deadline or removes it. The period is only a safety net. Residents with nothing pending
/// (nearly all) have none and pay nothing.
/// </summary>
internal static class DecisionReminder
{
    public const string Name = "pending-decision";

    /// <summary>
    /// Registers, moves or removes the reminder for <paramref name="due"/> (null: none needed), recording it in the state
    /// (not written here). True if the recorded deadline changed, so the state must be written. <paramref name="force"/>
    /// registers again for the same deadline (a tick that came before it). A failing reminder service drops the
    /// activation, as for the day-close reminder.
    /// </summary>
    public static async Task<bool> EnsureAsync(IGrainBase grain, ResidentState s, DateTimeOffset? due, bool force, DomainCalendar calendar,
        TimeScale scale, KeyPersonOptions options, TimeSpan minimumPeriod)
    {
        if (!force && s.DecisionReminderFor == due) return false;
        try
        {
            if (due is { } at)
            {
                var delay = scale.ToRealDelay(at - calendar.Now);
                if (delay < TimeSpan.FromSeconds(1)) delay = TimeSpan.FromSeconds(1);
                if (options.MaxReminderDelay is { } cap && delay > cap) delay = cap;
                var period = scale.ToRealDelay(options.ReminderPeriod);
                if (period < minimumPeriod) period = minimumPeriod;
                await grain.RegisterOrUpdateReminder(Name, delay, period);
            }
            else if (await grain.GetReminder(Name) is { } reminder)
            {
                await grain.UnregisterReminder(reminder);
            }
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
        var changed = s.DecisionReminderFor != due;
        s.DecisionReminderFor = due;
        return changed;
    }
}
