using Sanmenxia.HealthCode;
using Sanmenxia.Platform.Time;

namespace Sanmenxia.Grains.Residents;

/// <summary>
/// A resident's one daily reminder, due after the next local midnight plus a per-resident offset (spreading the city's
/// ticks over DeadlineOptions.SpreadAfterMidnight), registered while something can change without the resident acting:
/// an applied code that is not a fixed point, an observation period, a watched trip. A red code with no streak cannot
/// change without the resident acting, so it needs no reminder until the next clock-in (docs/reminders.md).
/// </summary>
internal static class DayCloseReminder
{
    public const string Name = "day-close";

    public static bool IsFixedPoint(HealthCodeState code) => code is { BaseColour: CodeColour.Red, RedStreak: 0, Blockers: Blocker.None };

    /// <summary>
    /// Registers, moves or removes the reminder as <paramref name="needed"/> says, recording its period and offset in
    /// the state (not written here). True if the registration changed, so the state must be written. If the reminder
    /// service fails, the activation is dropped: callers changed the state before this, and those unsaved changes must
    /// not be served as if stored (as when a write fails; the next call reloads what is durable).
    /// </summary>
    public static async Task<bool> EnsureAsync(IGrainBase grain, ResidentState s, bool needed, DomainCalendar calendar, TimeScale scale, TimeSpan offset)
    {
        var period = scale.ToRealDelay(TimeSpan.FromDays(1));
        if (needed && s.DeadlineReminderPeriod == period && s.DeadlineReminderOffset == offset) return false;
        if (!needed && s.DeadlineReminderPeriod is null) return false;
        try
        {
            if (needed)
            {
                var now = calendar.Now;
                var firstTick = calendar.EndOfDay(calendar.DayOf(now)) + offset;
                await grain.RegisterOrUpdateReminder(Name, scale.ToRealDelay(firstTick - now), period);
                s.DeadlineReminderPeriod = period;
                s.DeadlineReminderOffset = offset;
            }
            else
            {
                if (await grain.GetReminder(Name) is { } reminder) await grain.UnregisterReminder(reminder);
                s.DeadlineReminderPeriod = null;
            }
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
        return true;
    }
}
