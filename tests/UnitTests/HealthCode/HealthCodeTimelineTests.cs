using Sanmenxia.HealthCode;
using Xunit;
using static Sanmenxia.UnitTests.HealthCode.Scenario;

namespace Sanmenxia.UnitTests.HealthCode;

// The docs/domain.md worked timeline and its variants, day by day.
public class HealthCodeTimelineTests
{
    [Fact]
    public void Worked_timeline_day_by_day()
    {
        var s = new Scenario();
        var pattern = "C---CCC";
        CodeColour[] expectedColour = [CodeColour.Green, CodeColour.Yellow, CodeColour.Yellow, CodeColour.Red, CodeColour.Red, CodeColour.Red, CodeColour.Green];
        int[] expectedStreak = [0, 0, 0, 0, 1, 2, 0];

        for (var day = 1; day <= 7; day++)
        {
            if (pattern[day - 1] == 'C')
            {
                Assert.True((day == 1 ? s.Apply(day) : s.ClockIn(day)).Accepted);
            }

            s.CloseThrough(day);
            Assert.Equal(expectedColour[day - 1], s.Colour);
            Assert.Equal(expectedColour[day - 1], s.State.BaseColour);
            Assert.Equal(expectedStreak[day - 1], s.State.RedStreak);
        }

        Assert.Equal(
            [
                new ColourChange(At(1, 9), CodeColour.None, CodeColour.Green, ChangeCause.Applied, "applied on 2020-02-01 with the honesty pledge"),
                new ColourChange(At(3, 0), CodeColour.Green, CodeColour.Yellow, ChangeCause.MissedClockIn, "no clock-in on 2020-02-02"),
                new ColourChange(At(5, 0), CodeColour.Yellow, CodeColour.Red, ChangeCause.MissedClockIn, "no clock-in on 2020-02-04 (2nd yellow day missed)"),
                new ColourChange(At(7, 9), CodeColour.Red, CodeColour.Green, ChangeCause.RedStreakCompleted, "3rd consecutive daily clock-in on 2020-02-07"),
            ],
            s.History);
    }

    [Fact]
    public void Day_three_yellow_day_is_counted_but_stays_yellow()
    {
        var s = new Scenario().Run("C--");

        Assert.Equal(CodeColour.Yellow, s.Colour);
        Assert.Equal(1, s.State.YellowMissedDays);
    }

    [Fact]
    public void Clock_in_on_day_three_turns_green_at_that_moment()
    {
        var s = new Scenario().Run("C-");

        var result = s.ClockIn(3, hour: 8, minute: 15);

        Assert.Equal(CodeColour.Green, s.Colour);
        var change = Assert.Single(result.Changes);
        Assert.Equal(new ColourChange(At(3, 8, 15), CodeColour.Yellow, CodeColour.Green, ChangeCause.ClockedInWhileYellow, "clocked in on 2020-02-03"), change);
        Assert.Equal(0, s.State.YellowMissedDays);
    }

    [Fact]
    public void Green_after_yellow_needs_a_fresh_missed_day_to_turn_yellow_again()
    {
        var s = new Scenario().Run("C-C-");

        Assert.Equal(CodeColour.Yellow, s.Colour);
        Assert.Equal(0, s.State.YellowMissedDays);
    }

    [Fact]
    public void Missed_day_during_red_streak_restarts_the_count()
    {
        var s = new Scenario().Run("C---CC-");

        Assert.Equal(CodeColour.Red, s.Colour);
        Assert.Equal(0, s.State.RedStreak);
        Assert.Equal(CodeColour.Red, s.History[^1].To);
    }

    [Fact]
    public void After_a_broken_streak_three_new_consecutive_clock_ins_are_needed()
    {
        var s = new Scenario().Run("C---CC-CC");
        Assert.Equal(CodeColour.Red, s.Colour);
        Assert.Equal(2, s.State.RedStreak);

        s.ClockIn(10);

        Assert.Equal(CodeColour.Green, s.Colour);
        Assert.Equal(ChangeCause.RedStreakCompleted, s.History[^1].Cause);
        Assert.Equal(At(10, 9), s.History[^1].At);
    }

    [Fact]
    public void Red_never_gets_worse_and_records_no_change_for_missed_days()
    {
        var s = new Scenario().Run("C---");
        var historyAtRed = s.History.Count;

        s.CloseThrough(25);

        Assert.Equal(CodeColour.Red, s.Colour);
        Assert.Equal(0, s.State.RedStreak);
        Assert.Equal(Day(25), s.State.ClosedThrough);
        Assert.Equal(historyAtRed, s.History.Count);
    }

    [Fact]
    public void A_day_with_a_clock_in_changes_nothing_at_its_close()
    {
        var s = new Scenario().Run("CCCC");
        var before = s.State;

        s.ClockIn(5);
        var afterClockIn = s.State;
        var close = s.CloseThrough(5);

        Assert.Empty(close.Changes);
        Assert.Equal(afterClockIn with { ClosedThrough = Day(5) }, s.State);
        Assert.Equal(CodeColour.Green, s.Colour);
        Assert.Equal(Day(4), before.ClosedThrough);
    }

    [Fact]
    public void The_application_day_is_never_missed_even_if_applied_just_before_midnight()
    {
        var s = new Scenario();
        s.Apply(1, hour: 23);

        s.CloseThrough(1);

        Assert.Equal(CodeColour.Green, s.Colour);
        Assert.Equal(Day(1), s.State.AppliedOn);
        Assert.Equal(Day(1), s.State.LastClockInDay);
    }

    [Fact]
    public void Clock_in_just_after_midnight_counts_for_the_new_day_in_China_time()
    {
        var s = new Scenario().Run("C");

        // 00:05 on day 2 in Shanghai is still day 1 in UTC.
        s.ClockIn(2, hour: 0, minute: 5);
        s.CloseThrough(2);

        Assert.Equal(Day(2), s.State.LastClockInDay);
        Assert.Equal(CodeColour.Green, s.Colour);
    }

    [Fact]
    public void Second_clock_in_the_same_day_only_updates_the_temperature()
    {
        var s = new Scenario().Run("C---C");
        Assert.Equal(1, s.State.RedStreak);

        var second = s.ClockIn(5, hour: 18, temperature: 36.9m);

        Assert.True(second.Accepted);
        Assert.Empty(second.Changes);
        Assert.Equal(1, s.State.RedStreak);
        Assert.Equal(36.9m, s.State.LastTemperature);
        Assert.Equal(Day(5), s.State.LastClockInDay);
    }

    [Fact]
    public void Second_clock_in_while_yellow_cannot_double_count()
    {
        var s = new Scenario().Run("C-");
        s.ClockIn(3, hour: 8);
        s.ClockIn(3, hour: 20);

        Assert.Equal(CodeColour.Green, s.Colour);
        Assert.Single(s.History, c => c.Cause == ChangeCause.ClockedInWhileYellow);
    }

    [Fact]
    public void Clock_in_catches_up_missed_days_without_any_timer()
    {
        var s = new Scenario().Run("C", closeEachDay: false);

        var result = s.ClockIn(5);

        Assert.Equal(CodeColour.Red, s.Colour);
        Assert.Equal(1, s.State.RedStreak);
        Assert.Equal(Day(4), s.State.ClosedThrough);
        Assert.Equal(
            [(At(3, 0), CodeColour.Yellow), (At(5, 0), CodeColour.Red)],
            result.Changes.Select(c => (c.At, c.To)));
    }

    [Fact]
    public void Clock_in_before_applying_is_refused_without_state_change()
    {
        var s = new Scenario();

        var result = s.ClockIn(1);

        Assert.False(result.Accepted);
        Assert.Equal(["not applied: apply for a health code first"], result.Refusal);
        Assert.Same(HealthCodeState.NotApplied, s.State);
        Assert.Empty(result.Changes);
    }

    [Theory]
    [InlineData(3.65)]
    [InlineData(373)]
    [InlineData(33.9)]
    [InlineData(43.1)]
    public void Implausible_temperatures_are_refused(double reading)
    {
        var s = new Scenario().Run("C");
        var before = s.State;

        var result = s.ClockIn(2, temperature: (decimal)reading);

        Assert.False(result.Accepted);
        Assert.Contains("is not a plausible body temperature", Assert.Single(result.Refusal));
        Assert.Same(before, s.State);
    }

    [Fact]
    public void Red_streak_policy_of_two_turns_green_on_the_second_clock_in()
    {
        var s = new Scenario(HealthCodePolicy.Default with { RedConsecutiveClockInsToGreen = 2 }).Run("C---C");
        Assert.Equal(CodeColour.Red, s.Colour);

        s.ClockIn(6);

        Assert.Equal(CodeColour.Green, s.Colour);
    }

    [Fact]
    public void Yellow_policy_of_one_turns_red_on_the_first_missed_yellow_day()
    {
        var s = new Scenario(HealthCodePolicy.Default with { YellowMissedDaysToRed = 1 }).Run("C--");

        Assert.Equal(CodeColour.Red, s.Colour);
        Assert.Equal(At(4, 0), s.History[^1].At);
    }

    [Fact]
    public void Yellow_policy_of_three_needs_three_missed_yellow_days()
    {
        var s = new Scenario(HealthCodePolicy.Default with { YellowMissedDaysToRed = 3 }).Run("C---");
        Assert.Equal(CodeColour.Yellow, s.Colour);

        s.CloseThrough(5);

        Assert.Equal(CodeColour.Red, s.Colour);
    }
}
