using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;
using Sanmenxia.Trips;

namespace Sanmenxia.UnitTests.Trips;

public class TripWatchTests
{
    private static readonly DateOnly Today = new(2020, 2, 10);
    private static readonly DateTimeOffset Now = new(2020, 2, 10, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly TripId Train = new(TravelMode.Train, "G1234", Today.AddDays(-2));
    private readonly List<SavedTrip> _trips = [];
    private readonly List<TripMatch> _matches = [];
    private readonly List<KeyPersonEntry> _entries = [];
    private TripWatch Watch => new(_trips, _matches);
    private KeyPersonRegister Register => new(_entries, new(StringComparer.Ordinal), HealthCodePolicy.Default);

    private static PublishedCase Case(string id = "case-1", int carriage = 3, int row = 10) =>
        new(id, new SeatInfo(carriage, row, null), "武汉", "三门峡南", "卫健委通报", Now.AddHours(-1), "commander");

    private static PublishedCase Withdrawn(PublishedCase published) => published with { Withdrawn = true, WithdrawReason = "wrong train" };

    private SavedTrip Save(TripId? trip = null, int? carriage = 3, int? row = 12, params PublishedCase[] cases)
    {
        var saved = TripWatch.NewSaved(trip ?? Train, new SeatInfo(carriage, row, null), Now, watchDays: 14);
        Watch.Save(saved, cases, Register, Now, Today);
        return saved;
    }

    [Fact]
    public void A_saved_trip_is_watched_for_its_days_after_travel_and_saving_again_replaces_the_seat()
    {
        var saved = Save();
        Assert.Equal(Train.Date.AddDays(14), saved.WatchedUntil);
        Save(carriage: 7);

        Assert.Equal(7, Assert.Single(Watch.Trips).Seat.Carriage);
        Assert.True(Watch.IsWatching);
        Assert.Same(Watch.Trips[0], Watch.Find(Train));
    }

    [Fact]
    public void A_trip_whose_watch_ended_is_matched_but_not_kept()
    {
        var old = Train with { Date = Today.AddDays(-20) };
        var saved = TripWatch.NewSaved(old, new SeatInfo(3, 12, null), Now, 14);

        Assert.False(TripWatch.IsWatched(saved, Today));
        Assert.False(Watch.Save(saved, [Case()], Register, Now, Today));
        Assert.Empty(Watch.Trips);
        Assert.Single(Watch.Matches);
    }

    [Fact]
    public void Saving_a_trip_with_published_cases_matches_at_once_with_a_pending_entry()
    {
        Save(cases: Case());

        var match = Assert.Single(Watch.MatchesOf(Train));
        Assert.Equal((TripRisk.NearbySeats, "case-1", Now), (match.Risk, match.CaseId, match.MatchedAt));
        var entry = Assert.Single(_entries);
        Assert.Equal(TripWatch.EntryIdOf(Train, "case-1"), entry.Id);
        Assert.Equal((KeyPersonCategory.CloseContact, KeyPersonStatus.Pending, Train.Date, TripWatch.MatchedBy),
            (entry.Category, entry.Status, entry.ExposureDate, entry.CreatedBy));
    }

    [Fact]
    public void A_case_on_a_trip_not_saved_changes_nothing()
    {
        Assert.False(Watch.Receive(Train, Case(), Register, Now, Today));
        Assert.False(Watch.Receive(Train, Withdrawn(Case()), Register, Now, Today));
        Assert.Empty(_matches);
        Assert.Empty(_entries);
    }

    [Fact]
    public void A_case_delivered_twice_matches_once()
    {
        Save();

        Assert.True(Watch.Receive(Train, Case(), Register, Now, Today));
        Assert.False(Watch.Receive(Train, Case(), Register, Now, Today));
        Assert.False(Watch.Match(Train, new SeatInfo(1, 1, null), Withdrawn(Case("case-2")), Register, Now, Today)); // withdrawn: no match
        Assert.Single(_matches);
        Assert.Single(_entries);
    }

    [Fact]
    public void A_withdrawal_undoes_the_match_and_a_republication_opens_a_fresh_pending_entry()
    {
        Save(cases: Case());

        Assert.True(Watch.Receive(Train, Withdrawn(Case()), Register, Now, Today));
        Assert.False(Watch.Receive(Train, Withdrawn(Case()), Register, Now, Today));
        Assert.True(Assert.Single(_matches).Withdrawn);
        var dismissed = Assert.Single(_entries);
        Assert.Equal((KeyPersonStatus.Dismissed, CloseCause.PublicationWithdrawn, "publication withdrawn: wrong train"),
            (dismissed.Status, dismissed.ClosedBy, dismissed.CloseReason));

        Assert.True(Watch.Receive(Train, Case(), Register, Now, Today));
        Assert.False(Assert.Single(_matches).Withdrawn);
        Assert.Equal(KeyPersonStatus.Pending, Assert.Single(_entries).Status);
    }

    [Fact]
    public void A_withdrawal_releases_a_confirmed_entry_and_lifts_its_blockers()
    {
        Save(cases: Case());
        var entryId = TripWatch.EntryIdOf(Train, "case-1");
        Register.Confirm(entryId, ControlMeasure.CentralIsolation, "site", Today);
        Assert.Equal(Blocker.Isolation | Blocker.CloseContact, Register.Blockers);

        Watch.Receive(Train, Withdrawn(Case()), Register, Now, Today);

        Assert.Equal((KeyPersonStatus.Released, CloseCause.PublicationWithdrawn), (_entries[0].Status, _entries[0].ClosedBy));
        Assert.Equal(Blocker.None, Register.Blockers);
        Watch.Receive(Train, Case(), Register, Now, Today); // republished: a released entry is not reopened
        Assert.Equal(KeyPersonStatus.Released, Assert.Single(_entries).Status);
    }

    [Fact]
    public void An_entry_staff_dismissed_stays_dismissed_whatever_the_publication_does()
    {
        Save(cases: Case());
        var entryId = TripWatch.EntryIdOf(Train, "case-1");
        Register.Dismiss(entryId, "was not on the train", Today);

        Watch.Receive(Train, Withdrawn(Case()), Register, Now, Today);
        Watch.Receive(Train, Case(), Register, Now, Today);

        var entry = Assert.Single(_entries);
        Assert.Equal((KeyPersonStatus.Dismissed, CloseCause.DismissedByStaff), (entry.Status, entry.ClosedBy));
    }

    [Fact]
    public void Matches_are_bounded_to_the_newest()
    {
        Save();
        for (var i = 0; i < TripWatch.MatchesKept + 10; i++) Watch.Receive(Train, Case($"case-{i:D2}"), Register, Now, Today);

        Assert.Equal(TripWatch.MatchesKept, _matches.Count);
        Assert.Equal("case-10", _matches[0].CaseId);
        Assert.Equal($"case-{TripWatch.MatchesKept + 9:D2}", _matches[^1].CaseId);
    }

    [Fact]
    public void Trips_past_their_watch_expire_and_their_matches_stay()
    {
        Save(cases: Case());
        var other = Train with { Number = "K5", Date = Today };
        Save(other);
        var end = Train.Date.AddDays(15);

        Assert.Empty(Watch.Ended(end.AddDays(-1)));
        Assert.Equal([Train], Watch.Ended(end).Select(t => t.Trip));
        Assert.True(Watch.Expire(end));
        Assert.False(Watch.Expire(end));
        Assert.Equal([other], Watch.Trips.Select(t => t.Trip));
        Assert.Single(Watch.Matches);
    }

    [Fact]
    public void The_entry_of_a_match_is_named_by_trip_and_case()
    {
        Assert.Equal(TripWatch.EntryIdOf(Train, "a"), TripWatch.EntryIdOf(Train with { }, "a"));
        Assert.NotEqual(TripWatch.EntryIdOf(Train, "a"), TripWatch.EntryIdOf(Train, "b"));
        Assert.NotEqual(TripWatch.EntryIdOf(Train, "a"), TripWatch.EntryIdOf(Train with { Date = Train.Date.AddDays(1) }, "a"));
        Assert.Matches("^t[0-9a-f]{11}$", TripWatch.EntryIdOf(Train, "a"));
    }

    // ------------------------------------------------------------------ laws

    [Property]
    public Property Whatever_order_of_deliveries_the_last_one_decides_and_a_repeat_changes_nothing() =>
        Prop.ForAll(Gen.Elements(true, false).ArrayOf().ToArbitrary(), withdrawals =>
        {
            var watch = new TripWatch([], []);
            var register = new KeyPersonRegister([], new(StringComparer.Ordinal), HealthCodePolicy.Default);
            watch.Save(TripWatch.NewSaved(Train, new SeatInfo(3, 12, null), Now, 14), [], register, Now, Today);
            var published = false;
            foreach (var withdrawn in withdrawals)
            {
                var delivery = withdrawn ? Withdrawn(Case()) : Case();
                watch.Receive(Train, delivery, register, Now, Today);
                if (watch.Receive(Train, delivery, register, Now, Today)) return false; // delivered twice: the repeat is ignored
                published |= !withdrawn;
            }
            var live = watch.Matches.Count(m => !m.Withdrawn);
            var entry = register.Find(TripWatch.EntryIdOf(Train, "case-1"));
            return !published ? watch.Matches.Count == 0 && entry is null
                : withdrawals[^1] ? live == 0 && entry!.Status == KeyPersonStatus.Dismissed
                : live == 1 && entry!.Status == KeyPersonStatus.Pending;
        });
}
