using Sanmenxia.HealthCode;
using Sanmenxia.Residents;
using Sanmenxia.Trips;

namespace Sanmenxia.Grains.Residents;

/// <summary>
/// The day close (docs/reminders.md §0): days are closed from dates by the village's day close
/// (<see cref="CloseDayAsync"/>), by a read that finds days pending (<see cref="CatchUpAsync"/>), or by a reminder's tick.
/// </summary>
public sealed partial class ResidentGrain
{
    /// <summary>The per-resident daily reminder of builds before the village's day close (<see cref="CloseDayAsync"/>).</summary>
    internal const string LegacyDayCloseReminder = "day-close";

    /// <summary>
    /// If a day ended, an observation period or trip watch ran out, or a village's decision deadline passed since the last
    /// evaluation (the village's day close has not reached this resident yet, or the cluster was down), evaluate now, so what is shown
    /// is what is stored.
    /// </summary>
    private async Task CatchUpAsync()
    {
        var now = calendar.Now;
        var today = calendar.DayOf(now);
        var daysPending = S.Code.IsApplied && (S.Code.ClosedThrough is null || S.Code.ClosedThrough < today.AddDays(-1));
        if (daysPending || Register.AnyPeriodEnded(today) || Register.AnyDecisionDue(now) || Watch.Ended(today).Count > 0) await EvaluateDeadlinesAsync();
    }

    public async Task<CodeView> EvaluateDeadlinesAsync()
    {
        var now = calendar.Now;
        var today = calendar.DayOf(now);
        // The trip grains forget travellers whose watch ended before anything changes here (their side is idempotent).
        foreach (var ended in Watch.Ended(today))
            await GrainFactory.GetGrain<ITripGrain>(ended.Trip.Key).RemoveTravellerAsync(Key);
        // Observation periods first: a release lifts a blocker before the day's colour is settled. Decisions not taken by
        // their deadline are marked overdue (the village's counts escalate them); the pending exposure stays on the code.
        var entriesChanged = Register.Evaluate(today) | Register.EvaluateDecisions(now) | Watch.Expire(today);
        var colourChanged = entriesChanged && SyncBlockers(ActorKind.System);
        var pruned = PruneRetained(now, today);
        if (S.Code.IsApplied)
        {
            var result = HealthCodeRules.CloseDaysThrough(calendar.Policy, S.Code, today.AddDays(-1));
            S.Record(result, ActorKind.System);
            colourChanged |= result.Changes.Count > 0;
        }
        // Closing a day that changed no colour is not written: evaluating from dates gives the same state
        // again, so most residents cost no write at all at midnight (the village projects the same way).
        await CommitAsync(colourChanged || entriesChanged ? Change.Summary : pruned ? Change.State : Change.None);
        return View();
    }

    public async Task CloseDayAsync()
    {
        await EvaluateDeadlinesAsync();
        LeaveIfOneOff();
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == DecisionReminder.Name)
        {
            await EvaluateDeadlinesAsync();
            // The tick may have come before the deadline (a capped first delay, the safety period): wake again for it.
            await EnsureDecisionReminderAsync(force: true);
        }
        else if (reminderName == LegacyDayCloseReminder)
        {
            // Residents no longer hold a daily reminder (their village closes their days; migration 0022 deletes these):
            // one left from an older build closes the day once more and goes.
            await EvaluateDeadlinesAsync();
            if (await this.GetReminder(reminderName) is { } legacy) await this.UnregisterReminder(legacy);
        }
        else if (reminderName == VillageOutbox.ReminderName) await Outbox.OnReminderAsync();
        else return;
        // Woken only for the deadline: do not keep the resident in memory after the tick.
        if (!_servedCaller) Leave();
    }
}
