using Sanmenxia.HealthCode;
using Xunit;
using static Sanmenxia.UnitTests.HealthCode.Scenario;

namespace Sanmenxia.UnitTests.HealthCode;

// Reminder ticks can be late, duplicated or missed; the day-close must give the same result regardless.
public class HealthCodeTickTests
{
    private static readonly HealthCodePolicy Policy = HealthCodePolicy.Default;

    private static HealthCodeState AppliedOnDayOne() =>
        HealthCodeRules.Apply(Policy, HealthCodeState.NotApplied, At(1, 9), 36.5m, true, Blocker.None).State;

    [Fact]
    public void Closing_the_same_day_twice_is_a_no_op()
    {
        var once = HealthCodeRules.CloseDaysThrough(Policy, AppliedOnDayOne(), Day(2));

        var twice = HealthCodeRules.CloseDaysThrough(Policy, once.State, Day(2));

        Assert.Single(once.Changes);
        Assert.Empty(twice.Changes);
        Assert.Same(once.State, twice.State);
    }

    [Fact]
    public void Closing_an_earlier_day_after_a_later_one_is_a_no_op()
    {
        var later = HealthCodeRules.CloseDaysThrough(Policy, AppliedOnDayOne(), Day(4));

        var late = HealthCodeRules.CloseDaysThrough(Policy, later.State, Day(2));

        Assert.Empty(late.Changes);
        Assert.Same(later.State, late.State);
    }

    [Fact]
    public void Closing_five_days_at_once_after_an_outage_equals_closing_them_one_by_one()
    {
        var state = AppliedOnDayOne();
        var changes = new List<ColourChange>();
        for (var day = 1; day <= 6; day++)
        {
            var result = HealthCodeRules.CloseDaysThrough(Policy, state, Day(day));
            state = result.State;
            changes.AddRange(result.Changes);
        }

        var afterOneDay = HealthCodeRules.CloseDaysThrough(Policy, AppliedOnDayOne(), Day(1));
        var atOnce = HealthCodeRules.CloseDaysThrough(Policy, afterOneDay.State, Day(6));

        Assert.Equal(state, atOnce.State);
        Assert.Equal(changes, atOnce.Changes);
        Assert.Equal([At(3, 0), At(5, 0)], atOnce.Changes.Select(c => c.At));
    }

    [Fact]
    public void Change_timestamps_are_the_deadline_not_the_evaluation_time()
    {
        var s = new Scenario().Run("C", closeEachDay: false);

        // The close of day 2 is evaluated on day 9 at 14:00 (a very late tick).
        s.Clock.SetUtcNow(At(9, 14));
        var late = s.CloseThrough(2);

        Assert.Equal(DateTimeOffset.Parse("2020-02-02T16:00:00Z"), Assert.Single(late.Changes).At);
    }

    [Fact]
    public void Closing_nothing_before_application_does_nothing()
    {
        var result = HealthCodeRules.CloseDaysThrough(Policy, HealthCodeState.NotApplied, Day(10));

        Assert.Same(HealthCodeState.NotApplied, result.State);
        Assert.Empty(result.Changes);
    }

    [Fact]
    public void End_of_day_is_midnight_in_Shanghai()
    {
        var end = HealthCodeRules.EndOfDay(Policy, new DateOnly(2020, 2, 2));

        Assert.Equal(DateTimeOffset.Parse("2020-02-02T16:00:00Z"), end);
        Assert.Equal(TimeSpan.FromHours(8), end.Offset);
    }

    [Theory]
    [InlineData("2020-02-02T15:59:59Z", "2020-02-02")]
    [InlineData("2020-02-02T16:00:00Z", "2020-02-03")]
    [InlineData("2020-02-01T16:00:00Z", "2020-02-02")]
    [InlineData("2020-02-02T00:00:00-05:00", "2020-02-02")]
    public void Today_is_the_calendar_day_in_Shanghai(string instant, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected), HealthCodeRules.Today(Policy, DateTimeOffset.Parse(instant)));
    }

    [Fact]
    public void The_end_of_a_day_is_the_first_instant_of_the_next_day()
    {
        for (var day = new DateOnly(2020, 1, 1); day < new DateOnly(2021, 1, 1); day = day.AddDays(1))
        {
            var end = HealthCodeRules.EndOfDay(Policy, day);
            Assert.Equal(day.AddDays(1), HealthCodeRules.Today(Policy, end));
            Assert.Equal(day, HealthCodeRules.Today(Policy, end.AddTicks(-1)));
        }
    }

    [Fact]
    public void Other_time_zones_move_the_deadline()
    {
        var london = HealthCodePolicy.Default with { TimeZoneId = "Europe/London" };

        Assert.Equal(DateTimeOffset.Parse("2020-02-03T00:00:00Z"), HealthCodeRules.EndOfDay(london, new DateOnly(2020, 2, 2)));
        Assert.Equal(DateTimeOffset.Parse("2020-07-02T23:00:00Z"), HealthCodeRules.EndOfDay(london, new DateOnly(2020, 7, 2)));
    }

    [Fact]
    public void Unknown_time_zone_falls_back_to_China_standard_time()
    {
        var policy = HealthCodePolicy.Default with { TimeZoneId = "Nowhere/Unknown" };

        Assert.Equal(DateTimeOffset.Parse("2020-02-02T16:00:00Z"), HealthCodeRules.EndOfDay(policy, new DateOnly(2020, 2, 2)));
    }

    [Fact]
    public void Default_policy_matches_the_domain_choices_and_is_valid()
    {
        var policy = new HealthCodePolicy();

        Assert.Equal(37.3m, policy.FeverThresholdCelsius);
        Assert.Equal(2, policy.YellowMissedDaysToRed);
        Assert.Equal(3, policy.RedConsecutiveClockInsToGreen);
        Assert.Equal(CodeColour.Red, policy.IsolationColour);
        Assert.Equal(CodeColour.Red, policy.CloseContactColour);
        Assert.Equal(CodeColour.Yellow, policy.FeverColour);
        Assert.Equal(CodeColour.Red, policy.ObservationColour);
        Assert.Equal("Asia/Shanghai", policy.TimeZoneId);
        Assert.Equal(14, policy.ObservationDays);
        Assert.Empty(policy.Validate());
        Assert.Equal(HealthCodePolicy.Default, policy);
    }

    [Fact]
    public void Invalid_policies_are_reported()
    {
        var policy = new HealthCodePolicy
        {
            FeverThresholdCelsius = 30m,
            YellowMissedDaysToRed = 0,
            RedConsecutiveClockInsToGreen = 0,
            FeverColour = CodeColour.Green,
            TimeZoneId = " ",
            ObservationDays = 0,
        };

        Assert.Equal(6, policy.Validate().Count);
    }
}
