using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;
using Sanmenxia.Residents;
using Sanmenxia.Trips;
using Xunit;
using static Sanmenxia.UnitTests.HealthCode.Scenario;

namespace Sanmenxia.UnitTests.Residents;

/// <summary>Which residents the village's day close wakes (ResidentDayClose): the rest cost nothing at midnight.</summary>
public class ResidentDayCloseTests
{
    private static readonly HealthCodePolicy Policy = HealthCodePolicy.Default;
    private static readonly DayCloseRetention Retention = new(SelfReportDays: 28, WatchDays: 14, TripDaysAfterWatch: 0);

    private static DateOnly NextDue(IEnumerable<KeyPersonEntry>? entries = null, IEnumerable<SavedTrip>? trips = null, SelfReport? selfReport = null,
        IEnumerable<CodeHistoryEntry>? history = null, IEnumerable<TripMatch>? matches = null) =>
        ResidentDayClose.NextDueOn(Policy, entries ?? [], trips ?? [], selfReport, history ?? [], matches ?? [], Retention);

    private static KeyPersonEntry Entry(KeyPersonStatus status, ControlMeasure measure, DateOnly endsOn) => new()
    {
        Id = "e" + endsOn.DayNumber, Category = KeyPersonCategory.FromOutsideCity, Status = status, Measure = measure,
        ExposureDate = endsOn.AddDays(-14), ObservationEndsOn = endsOn, Source = "test", CreatedAt = At(1, 9), CreatedBy = "staff",
    };

    private static HealthCodeState AppliedOnDayOne() => HealthCodeRules.Apply(Policy, HealthCodeState.NotApplied, At(1, 9), 36.5m, true, Blocker.None).State;

    private static ResidentSummary Summary(HealthCodeState code, DateOnly closeDueOn) => new("r1", 1, "test", "4112**********0011", "h1", code, 0, CloseDueOn: closeDueOn);

    [Fact]
    public void A_resident_with_nothing_to_observe_watch_or_prune_is_never_due()
    {
        Assert.Equal(ResidentDayClose.Never, NextDue());
    }

    [Fact]
    public void An_observed_entry_is_due_on_the_day_its_period_ends_and_an_unobserved_or_closed_one_never()
    {
        Assert.Equal(Day(15), NextDue(entries: [Entry(KeyPersonStatus.Open, ControlMeasure.HomeIsolation, Day(15))]));
        Assert.Equal(ResidentDayClose.Never, NextDue(entries: [Entry(KeyPersonStatus.Open, ControlMeasure.None, Day(15))]));
        Assert.Equal(ResidentDayClose.Never, NextDue(entries: [Entry(KeyPersonStatus.Released, ControlMeasure.HomeIsolation, Day(15))]));
    }

    [Fact]
    public void A_watched_trip_is_due_the_day_after_its_watch_ends()
    {
        var trip = new SavedTrip(new TripId(TravelMode.Train, "K1234", Day(1)), new SeatInfo(2, 7, null), At(1, 10), WatchedUntil: Day(15));

        Assert.Equal(Day(16), NextDue(trips: [trip]));
    }

    [Fact]
    public void Retained_data_is_due_on_the_first_day_that_starts_after_its_cutoff()
    {
        // A self-report of day 1, 10:00 is past its 28 days at day 29, 10:00: the close of day 29 (run on day 30) drops it.
        Assert.Equal(Day(30), NextDue(selfReport: new SelfReport(36.5m, [], null, At(1, 10))));
        var change = new ColourChange(At(3, 0), CodeColour.Green, CodeColour.Yellow, ChangeCause.MissedClockIn, "missed");
        Assert.Equal(Day(32), NextDue(history: [new CodeHistoryEntry(change, null)]));
        // A trip match goes once the trip's watch (travel day + 14) ended: the day after.
        var match = new TripMatch(new TripId(TravelMode.Train, "K1", Day(2)), "c1", TripRisk.SameTrip, "bulletin", At(3, 9), At(3, 9));
        Assert.Equal(Day(17), NextDue(matches: [match]));
    }

    [Fact]
    public void The_earliest_of_everything_due_is_the_day()
    {
        var trip = new SavedTrip(new TripId(TravelMode.Train, "K1234", Day(1)), new SeatInfo(null, null, null), At(1, 10), WatchedUntil: Day(9));

        var due = NextDue(entries: [Entry(KeyPersonStatus.Open, ControlMeasure.CentralIsolation, Day(12))], trips: [trip],
            selfReport: new SelfReport(null, [], null, At(1, 10)));

        Assert.Equal(Day(10), due);
    }

    [Fact]
    public void A_code_that_changes_colour_at_the_days_that_ended_is_due_and_one_that_does_not_is_not()
    {
        var applied = AppliedOnDayOne(); // the application is day 1's clock-in: the close of day 1 changes nothing

        Assert.False(ResidentDayClose.IsDue(Policy, Summary(applied, ResidentDayClose.Never), Day(2)));
        // Day 2 passed without a clock-in: green turns yellow at its close.
        Assert.True(ResidentDayClose.IsDue(Policy, Summary(applied, ResidentDayClose.Never), Day(3)));
        // Once the resident stored that close, the same day is not due again.
        var closed = HealthCodeRules.CloseDaysThrough(Policy, applied, Day(2)).State;
        Assert.False(ResidentDayClose.IsDue(Policy, Summary(closed, ResidentDayClose.Never), Day(3)));
    }

    [Fact]
    public void A_resident_due_for_something_else_or_from_a_summary_stored_before_the_day_was_told_is_due()
    {
        var applied = AppliedOnDayOne();

        Assert.True(ResidentDayClose.IsDue(Policy, Summary(applied, Day(2)), Day(2)));
        Assert.False(ResidentDayClose.IsDue(Policy, Summary(applied, Day(3)), Day(2)));
        // A summary of an older build carries no day (MinValue): woken once, it tells the village its day.
        Assert.True(ResidentDayClose.IsDue(Policy, Summary(HealthCodeState.NotApplied, default), Day(2)));
        Assert.False(ResidentDayClose.IsDue(Policy, Summary(HealthCodeState.NotApplied, ResidentDayClose.Never), Day(2)));
    }
}
