using Sanmenxia.Platform.Stores;
using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

/// <summary>The one commit step of every action, and what an activation does after a one-off request.</summary>
public sealed partial class ResidentGrain
{
    /// <summary>
    /// The one commit step of every action. The decision reminder first, so the one state write records it; then the
    /// write (a failed write drops the activation: DurableState), which stores the new summary version as pending and
    /// carries the resident's village rows (<see cref="CarryVillageRows"/>: with the batched PostgreSQL storage they
    /// commit in the same transaction); then the village is told, waiting for it only briefly (<see cref="VillageOutbox"/>).
    /// The summary always carries the first day the village's day close must wake this resident for
    /// (<see cref="ResidentDayClose.NextDueOn"/>): when that moves, the summary is sent. <see cref="Change.None"/> writes
    /// only if the reminder or that day changed: closing a day that changes no colour writes nothing.
    /// </summary>
    private async Task CommitAsync(Change change)
    {
        var closeDue = ResidentDayClose.NextDueOn(calendar.Policy, S.KeyEntries, S.Trips, S.SelfReport, S.History, S.TripMatches, DayCloseRetention);
        if (S.IsRegistered && closeDue != S.CloseDueOn)
        {
            S.CloseDueOn = closeDue;
            change = Change.Summary;
        }
        var reminderChanged = await EnsureDecisionReminderAsync(force: false);
        if (change == Change.None && !reminderChanged) return;
        if (change == Change.Summary)
        {
            Register.RefreshMarks();
            S.SummaryVersion++;
        }
        CarryVillageRows(change == Change.Summary);
        try
        {
            await state.WriteOrForgetAsync(this);
        }
        finally
        {
            S.VillageRows.Clear();
        }
        // The outbox: what the village must learn was stored with this write; the answer does not wait for the village
        // longer than a short bound (it is delivered at least once from the stored state: VillageOutbox).
        await Outbox.AfterWriteAsync();
    }

    private DayCloseRetention DayCloseRetention =>
        new(retentionOptions.Value.SelfReportDays, tripOptions.Value.WatchDays, retentionOptions.Value.TripDaysAfterWatch);

    /// <summary>
    /// The village rows this write carries (<see cref="IVillageRowCarrier"/>): the deletion of the row in every village
    /// still to leave, and this resident's summary row when the summary changed (or is still pending). The grain storage
    /// writes them with the state only if the state's write succeeds; the version rule of the rows makes a repeat a no-op.
    /// </summary>
    private void CarryVillageRows(bool summaryChanged)
    {
        var rows = S.VillageRows;
        rows.Clear();
        foreach (var left in S.VillagesToLeave.Distinct(StringComparer.Ordinal))
            if (!string.IsNullOrEmpty(left) && left != S.VillageCode) rows.Add(new(left, ResidentViews.Removal(Key, S.SummaryVersion)));
        if (!string.IsNullOrEmpty(S.VillageCode) && (summaryChanged || S.SummaryVersion > S.ReportedVersion))
            rows.Add(new(S.VillageCode, S.Summary(Key, Register, Needs)));
    }

    /// <summary>
    /// After a clock-in or an application: an activation made for this one request (it is the first call this activation
    /// served) goes as soon as it answered, unless its outbox still holds a report (the retry timer keeps it then).
    /// A city's day of clock-ins is one cold request per resident: held for the 90 s collection age, 2.63M activations
    /// would live long enough to die in gen2, and the silo's GC, not the rules, would set the pace (issue #20). A resident
    /// already in memory for other calls (the page read its code first) stays: it is likely to be asked again.
    /// </summary>
    private void LeaveIfOneOff()
    {
        if (_callerCalls == 1 && !Outbox.IsPending) Leave();
    }
}
