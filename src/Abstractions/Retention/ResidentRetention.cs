using Sanmenxia.Residents;
using Sanmenxia.Trips;

namespace Sanmenxia.Retention;

/// <summary>
/// The retention of what a resident's own record holds over time (pure): the self-report and colour-history entries
/// older than the period, and matches with trips whose watch ended more than the trip period ago. The resident grain
/// applies it at its day close.
/// </summary>
public static class ResidentRetention
{
    /// <summary>Drops what is due; true if anything was dropped (the state must be written).</summary>
    public static bool Prune(ref SelfReport? selfReport, List<CodeHistoryEntry> history, List<TripMatch> matches,
        DateTimeOffset now, DateOnly today, int selfReportDays, int watchDays, int tripDaysAfterWatch)
    {
        var changed = false;
        var cutoff = now.AddDays(-selfReportDays);
        if (selfReport is not null && selfReport.UpdatedAt < cutoff)
        {
            selfReport = null;
            changed = true;
        }
        changed |= history.RemoveAll(h => h.Change.At < cutoff) > 0;
        changed |= matches.RemoveAll(m => TripDue(m.Trip, today, watchDays, tripDaysAfterWatch)) > 0;
        return changed;
    }

    /// <summary>Whether a trip's data is due: its watch (the travel day + watchDays) ended more than the period ago.</summary>
    public static bool TripDue(TripId trip, DateOnly today, int watchDays, int tripDaysAfterWatch) =>
        trip.Date.AddDays(watchDays + tripDaysAfterWatch) < today;
}
