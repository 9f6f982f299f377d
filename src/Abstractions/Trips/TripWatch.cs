using Sanmenxia.KeyPersons;

namespace Sanmenxia.Trips;

/// <summary>
/// One resident's watched trips (platform 2) as pure operations over the lists the resident stores: saved trips,
/// watched until <see cref="SavedTrip.WatchedUntil"/>, and matches with published cases, newest last, the latest
/// <see cref="MatchesKept"/> kept. A match also puts a pending close-contact entry in the resident's register for
/// village staff to confirm; a withdrawn publication undoes it. No clock and no I/O: telling the trip grains is the
/// caller's part (before changing anything here), and the caller passes <c>today</c> and <c>now</c>.
/// </summary>
public sealed class TripWatch(List<SavedTrip> trips, List<TripMatch> matches)
{
    public const int MatchesKept = 50;
    /// <summary>Who creates the pending entries of matches.</summary>
    public const string MatchedBy = "trip-matching";

    public IReadOnlyList<SavedTrip> Trips => trips;
    public IReadOnlyList<TripMatch> Matches => matches;

    /// <summary>True while some trip is watched (the resident's daily reminder must run to end the watch).</summary>
    public bool IsWatching => trips.Count > 0;

    public SavedTrip? Find(TripId trip) => trips.Find(t => t.Trip == trip);

    public IReadOnlyList<TripMatch> MatchesOf(TripId trip) => matches.Where(m => m.Trip == trip).ToList();

    public static SavedTrip NewSaved(TripId trip, SeatInfo seat, DateTimeOffset now, int watchDays) =>
        new(trip, seat, now, trip.Date.AddDays(watchDays));

    public static bool IsWatched(SavedTrip saved, DateOnly today) => saved.WatchedUntil >= today;

    /// <summary>The id of the register entry a match makes: the same trip and case always give the same entry.</summary>
    public static string EntryIdOf(TripId trip, string caseId) =>
        "t" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(trip.Key + "|" + caseId)))[..11];

    /// <summary>
    /// Saves a trip (again: the new seat replaces the old), matched at once against the cases already published on it.
    /// A trip whose watch already ended is matched but not kept. True if it is watched.
    /// </summary>
    public bool Save(SavedTrip saved, IEnumerable<PublishedCase> cases, KeyPersonRegister register, DateTimeOffset now, DateOnly today)
    {
        trips.RemoveAll(t => t.Trip == saved.Trip);
        var watched = IsWatched(saved, today);
        if (watched) trips.Add(saved);
        foreach (var published in cases) Match(saved.Trip, saved.Seat, published, register, now, today);
        return watched;
    }

    /// <summary>
    /// A case published or withdrawn on a trip, from the trip grain: matched against the trip if it is still saved, or
    /// its match undone. Idempotent (a delivery may come twice). True if anything changed.
    /// </summary>
    public bool Receive(TripId trip, PublishedCase published, KeyPersonRegister register, DateTimeOffset now, DateOnly today) =>
        published.Withdrawn
            ? Unmatch(trip, published, register, today)
            : Find(trip) is { } saved && Match(trip, saved.Seat, published, register, now, today);

    /// <summary>
    /// A match: noted with the seat-level risk, and a pending close-contact entry (a fresh one if a withdrawal had
    /// dismissed it). False if it is known or the case is withdrawn.
    /// </summary>
    public bool Match(TripId trip, SeatInfo seat, PublishedCase published, KeyPersonRegister register, DateTimeOffset now, DateOnly today)
    {
        if (published.Withdrawn || matches.Any(m => m.Trip == trip && m.CaseId == published.CaseId && !m.Withdrawn)) return false;
        var risk = TripRules.RiskOf(trip.Mode, seat, published.Seat);
        matches.RemoveAll(m => m.Trip == trip && m.CaseId == published.CaseId);
        matches.Add(new TripMatch(trip, published.CaseId, risk, published.Source, published.PublishedAt, now));
        if (matches.Count > MatchesKept) matches.RemoveRange(0, matches.Count - MatchesKept);
        var entryId = EntryIdOf(trip, published.CaseId);
        register.ForgetWithdrawn(entryId);
        register.Add(new NewKeyPersonEntry(KeyPersonCategory.CloseContact, trip.Date, $"co-traveler: {trip} ({risk}); source {published.Source}",
            ControlMeasure.None, null, null, "co-traveler match", Pending: true, EntryId: entryId), entryId, MatchedBy, now, today);
        return true;
    }

    /// <summary>
    /// A withdrawn publication undoes its match: marked withdrawn, and its entry dismissed (pending) or released
    /// (open) with the reason. False if there was no live match.
    /// </summary>
    public bool Unmatch(TripId trip, PublishedCase published, KeyPersonRegister register, DateOnly today)
    {
        var index = matches.FindIndex(m => m.Trip == trip && m.CaseId == published.CaseId && !m.Withdrawn);
        if (index < 0) return false;
        matches[index] = matches[index] with { Withdrawn = true };
        register.CloseByWithdrawal(EntryIdOf(trip, published.CaseId), $"publication withdrawn: {published.WithdrawReason}", today);
        return true;
    }

    /// <summary>
    /// What a match's pending entry is about, in the resident's words ("on Train G1234 2020-01-30"), or null when the entry
    /// is not a live match's.
    /// </summary>
    public string? ExposureOf(string entryId) =>
        matches.LastOrDefault(m => !m.Withdrawn && EntryIdOf(m.Trip, m.CaseId) == entryId) is { } match ? $"on {match.Trip}" : null;

    /// <summary>The trips whose watch ended before <paramref name="today"/> (the caller tells their trip grains first).</summary>
    public IReadOnlyList<SavedTrip> Ended(DateOnly today) => trips.Where(t => !IsWatched(t, today)).ToList();

    /// <summary>Stops watching the trips whose watch ended (their matches stay). True if any did.</summary>
    public bool Expire(DateOnly today) => trips.RemoveAll(t => !IsWatched(t, today)) > 0;
}
