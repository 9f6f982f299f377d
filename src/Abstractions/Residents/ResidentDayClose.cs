using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;
using Sanmenxia.Trips;

namespace Sanmenxia.Residents;

/// <summary>
/// Which residents the day close must wake, decided from what the village already holds (docs/reminders.md). A code's
/// colour at the end of a day is a pure function of its stored state and the date, so the village counts it and the
/// resident shows it the moment a day ends; only two kinds of residents need their own evaluation after midnight:
/// those whose stored code changes colour (to store the change and its history), and those with something the village
/// cannot project, whose first such day the resident tells the village in every summary (<see cref="NextDueOn"/>).
/// Everybody else costs nothing at midnight: no reminder, no activation, no read.
/// </summary>
public static class ResidentDayClose
{
    /// <summary>Nothing is ever due (no observation, no watched trip, nothing to prune).</summary>
    public static readonly DateOnly Never = DateOnly.MaxValue;

    /// <summary>Whether the day close of <paramref name="today"/> must wake this resident.</summary>
    public static bool IsDue(HealthCodePolicy policy, ResidentSummary summary, DateOnly today) =>
        summary.CloseDueOn <= today
        || (summary.Code.IsApplied && HealthCodeRules.CloseDaysThrough(policy, summary.Code, today.AddDays(-1)).Changes.Count > 0);

    /// <summary>
    /// The first day whose start must evaluate the resident for something not projected from the code: an observation
    /// period ending (it releases or extends the entry), a trip watch ending (the trip forgets the traveller), a
    /// self-report, colour change or trip match reaching the end of its retention. <see cref="Never"/> if none.
    /// </summary>
    public static DateOnly NextDueOn(HealthCodePolicy policy, IEnumerable<KeyPersonEntry> entries, IEnumerable<SavedTrip> trips,
        SelfReport? selfReport, IEnumerable<CodeHistoryEntry> history, IEnumerable<TripMatch> matches, DayCloseRetention retention)
    {
        var due = Never;
        foreach (var entry in entries)
            if (entry.RequiresObservation) due = Min(due, entry.ObservationEndsOn);
        foreach (var trip in trips) due = Min(due, trip.WatchedUntil.AddDays(1));
        if (selfReport is not null) due = Min(due, FirstDayAfter(policy, selfReport.UpdatedAt, retention.SelfReportDays));
        foreach (var entry in history) due = Min(due, FirstDayAfter(policy, entry.Change.At, retention.SelfReportDays));
        foreach (var match in matches) due = Min(due, match.Trip.Date.AddDays(retention.WatchDays + retention.TripDaysAfterWatch + 1));
        return due;
    }

    /// <summary>The first day that starts after <paramref name="at"/> plus <paramref name="days"/>: at its close the data is past its cutoff.</summary>
    private static DateOnly FirstDayAfter(HealthCodePolicy policy, DateTimeOffset at, int days) =>
        HealthCodeRules.Today(policy, at.AddDays(days)).AddDays(1);

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}

/// <summary>The retention periods the day close prunes by (ResidentRetention), in days.</summary>
public readonly record struct DayCloseRetention(int SelfReportDays, int WatchDays, int TripDaysAfterWatch);
