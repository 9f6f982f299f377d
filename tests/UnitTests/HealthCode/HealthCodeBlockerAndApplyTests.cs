using Sanmenxia.HealthCode;
using Xunit;
using static Sanmenxia.UnitTests.HealthCode.Scenario;

namespace Sanmenxia.UnitTests.HealthCode;

public class HealthCodeBlockerAndApplyTests
{
    [Fact]
    public void Apply_with_pledge_normal_temperature_and_no_blocker_gives_green_counting_as_todays_clock_in()
    {
        var s = new Scenario();

        var result = s.Apply(1, hour: 10, temperature: 36.6m);

        Assert.True(result.Accepted);
        Assert.Equal(CodeColour.Green, s.Colour);
        Assert.Equal(Day(1), s.State.AppliedOn);
        Assert.Equal(Day(1), s.State.LastClockInDay);
        Assert.Equal(Day(1).AddDays(-1), s.State.ClosedThrough);
        Assert.Equal(36.6m, s.State.LastTemperature);
        Assert.Equal(new ColourChange(At(1, 10), CodeColour.None, CodeColour.Green, ChangeCause.Applied, "applied on 2020-02-01 with the honesty pledge"), Assert.Single(result.Changes));
    }

    [Fact]
    public void Apply_lists_every_reason_for_refusal_and_changes_nothing()
    {
        var s = new Scenario();

        var result = s.Apply(1, temperature: 37.3m, pledge: false, blockers: Blocker.Isolation | Blocker.CloseContact | Blocker.Observation | Blocker.Fever);

        Assert.False(result.Accepted);
        Assert.Equal(
            [
                "the honesty pledge is required",
                "temperature 37.3 °C is at or above 37.3 °C",
                "not eligible: isolation",
                "not eligible: close contact with a case",
                "not eligible: open key-person observation",
                "not eligible: fever",
            ],
            result.Refusal);
        Assert.Same(HealthCodeState.NotApplied, s.State);
        Assert.Empty(result.Changes);
    }

    [Theory]
    [InlineData(Blocker.Isolation)]
    [InlineData(Blocker.CloseContact)]
    [InlineData(Blocker.Observation)]
    [InlineData(Blocker.Fever)]
    public void Each_blocker_alone_refuses_the_application(Blocker blocker)
    {
        var result = new Scenario().Apply(1, blockers: blocker);

        Assert.False(result.Accepted);
        Assert.Single(result.Refusal);
    }

    [Fact]
    public void Blockers_already_recorded_in_state_also_refuse_the_application()
    {
        var s = new Scenario();
        s.SetBlockers(1, 8, Blocker.Isolation);

        var result = s.Apply(1);

        Assert.Equal(["not eligible: isolation"], result.Refusal);
        Assert.Equal(CodeColour.None, s.Colour);
    }

    [Fact]
    public void Temperature_just_below_threshold_is_accepted()
    {
        Assert.True(new Scenario().Apply(1, temperature: 37.2m).Accepted);
    }

    [Fact]
    public void Applying_twice_is_a_refused_no_op()
    {
        var s = new Scenario().Run("C-");
        var before = s.State;

        var again = s.Apply(3);

        Assert.Equal(["already applied"], again.Refusal);
        Assert.Same(before, s.State);
        Assert.Equal(CodeColour.Yellow, s.Colour);
    }

    [Fact]
    public void Fever_at_clock_in_shows_yellow_and_staff_clearing_restores_the_base_colour()
    {
        var s = new Scenario().Run("CC");

        var fever = s.ClockIn(3, hour: 8, temperature: 37.8m);

        Assert.Equal(CodeColour.Yellow, s.Colour);
        Assert.Equal(CodeColour.Green, s.State.BaseColour);
        Assert.Equal(Blocker.Fever, s.State.Blockers);
        Assert.Equal(new ColourChange(At(3, 8), CodeColour.Green, CodeColour.Yellow, ChangeCause.BlockerRaised, "temperature 37.8 °C at clock-in"), Assert.Single(fever.Changes));

        // A normal reading later does not clear it: staff must.
        s.ClockIn(4, temperature: 36.5m);
        Assert.Equal(CodeColour.Yellow, s.Colour);

        var cleared = s.SetBlockers(4, 15, Blocker.None);

        Assert.Equal(CodeColour.Green, s.Colour);
        Assert.Equal(new ColourChange(At(4, 15), CodeColour.Yellow, CodeColour.Green, ChangeCause.BlockerCleared, "cleared: fever; clock-in colour is green"), Assert.Single(cleared.Changes));
    }

    [Fact]
    public void Fever_on_a_second_clock_in_the_same_day_still_raises_the_blocker()
    {
        var s = new Scenario().Run("CC");
        s.ClockIn(3, hour: 8);

        var evening = s.ClockIn(3, hour: 20, temperature: 38.1m);

        Assert.Equal(Blocker.Fever, s.State.Blockers);
        Assert.Equal(ChangeCause.BlockerRaised, Assert.Single(evening.Changes).Cause);
    }

    [Fact]
    public void Fever_while_red_keeps_red_and_adds_no_history_entry()
    {
        var s = new Scenario().Run("C---");

        var result = s.ClockIn(5, temperature: 38.0m);

        Assert.Equal(CodeColour.Red, s.Colour);
        Assert.Empty(result.Changes);
        Assert.Equal(Blocker.Fever, s.State.Blockers);
        Assert.Equal(1, s.State.RedStreak);
    }

    [Fact]
    public void Completing_a_red_streak_with_a_fever_reading_records_both_steps()
    {
        var s = new Scenario().Run("C---CC");

        var result = s.ClockIn(7, temperature: 37.5m);

        Assert.Equal(
            [(CodeColour.Red, CodeColour.Green, ChangeCause.RedStreakCompleted), (CodeColour.Green, CodeColour.Yellow, ChangeCause.BlockerRaised)],
            result.Changes.Select(c => (c.From, c.To, c.Cause)));
        Assert.Equal(CodeColour.Green, s.State.BaseColour);
        Assert.Equal(CodeColour.Yellow, s.Colour);
    }

    [Fact]
    public void Isolation_forces_red_while_the_base_machine_keeps_running()
    {
        var s = new Scenario().Run("CC");

        var raised = s.SetBlockers(2, 18, Blocker.Isolation);
        Assert.Equal(new ColourChange(At(2, 18), CodeColour.Green, CodeColour.Red, ChangeCause.BlockerRaised, "raised: isolation"), Assert.Single(raised.Changes));

        // Days 3-5 missed while isolated: the base turns yellow then red, the display stays red, no entries.
        s.CloseThrough(5);
        Assert.Equal(CodeColour.Red, s.Colour);
        Assert.Equal(CodeColour.Red, s.State.BaseColour);
        Assert.Single(s.History, c => c.Cause == ChangeCause.BlockerRaised);
        Assert.DoesNotContain(s.History, c => c.Cause == ChangeCause.MissedClockIn);

        // Clock-ins on days 6-8 complete the red streak underneath; still red on display.
        s.ClockIn(6);
        s.ClockIn(7);
        s.ClockIn(8);
        Assert.Equal(CodeColour.Green, s.State.BaseColour);
        Assert.Equal(CodeColour.Red, s.Colour);

        var cleared = s.SetBlockers(8, 15, Blocker.None);
        Assert.Equal(CodeColour.Green, s.Colour);
        Assert.Equal(new ColourChange(At(8, 15), CodeColour.Red, CodeColour.Green, ChangeCause.BlockerCleared, "cleared: isolation; clock-in colour is green"), Assert.Single(cleared.Changes));
    }

    [Fact]
    public void Clearing_isolation_reveals_the_base_colour_reached_meanwhile()
    {
        var s = new Scenario().Run("C");
        s.SetBlockers(1, 20, Blocker.Isolation);

        var cleared = s.SetBlockers(4, 10, Blocker.None);

        Assert.Equal(CodeColour.Yellow, s.Colour);
        Assert.Equal(1, s.State.YellowMissedDays);
        Assert.Equal("cleared: isolation; clock-in colour is yellow", Assert.Single(cleared.Changes).Detail);
    }

    [Fact]
    public void Set_blockers_closes_ended_days_first_so_history_stays_in_time_order()
    {
        var s = new Scenario().Run("C", closeEachDay: false);

        var result = s.SetBlockers(4, 10, Blocker.CloseContact);

        Assert.Equal(
            [(At(3, 0), CodeColour.Yellow, ChangeCause.MissedClockIn), (At(4, 10), CodeColour.Red, ChangeCause.BlockerRaised)],
            result.Changes.Select(c => (c.At, c.To, c.Cause)));
        Assert.True(result.Changes.Zip(result.Changes.Skip(1)).All(p => p.First.At <= p.Second.At));
    }

    [Fact]
    public void Replacing_one_blocker_by_a_milder_one_is_recorded_as_cleared()
    {
        var s = new Scenario().Run("CC");
        s.SetBlockers(2, 10, Blocker.Isolation);

        var result = s.SetBlockers(2, 12, Blocker.Fever);

        Assert.Equal(new ColourChange(At(2, 12), CodeColour.Red, CodeColour.Yellow, ChangeCause.BlockerCleared, "raised: fever; cleared: isolation; clock-in colour is green"), Assert.Single(result.Changes));
    }

    [Fact]
    public void Setting_the_same_blockers_again_changes_nothing()
    {
        var s = new Scenario().Run("C");
        s.SetBlockers(1, 10, Blocker.Observation);
        var before = s.State;

        var result = s.SetBlockers(1, 11, Blocker.Observation);

        Assert.Empty(result.Changes);
        Assert.Equal(before, s.State);
    }

    [Fact]
    public void Adding_a_blocker_that_does_not_change_the_colour_records_no_entry()
    {
        var s = new Scenario().Run("C");
        s.SetBlockers(1, 10, Blocker.Isolation);

        var result = s.SetBlockers(1, 11, Blocker.Isolation | Blocker.Fever);

        Assert.Empty(result.Changes);
        Assert.Equal(Blocker.Isolation | Blocker.Fever, s.State.Blockers);
    }

    [Fact]
    public void Blocker_colours_come_from_the_policy()
    {
        var policy = HealthCodePolicy.Default with { CloseContactColour = CodeColour.Yellow, FeverColour = CodeColour.Red };

        Assert.Equal(CodeColour.Yellow, HealthCodeRules.BlockerColour(policy, Blocker.CloseContact));
        Assert.Equal(CodeColour.Red, HealthCodeRules.BlockerColour(policy, Blocker.Fever));
        Assert.Equal(CodeColour.Red, HealthCodeRules.BlockerColour(HealthCodePolicy.Default, Blocker.Observation));
        Assert.Equal(CodeColour.Yellow, HealthCodeRules.BlockerColour(HealthCodePolicy.Default, Blocker.Fever));
        Assert.Equal(CodeColour.None, HealthCodeRules.BlockerColour(HealthCodePolicy.Default, Blocker.None));
    }

    [Fact]
    public void Blockers_before_application_show_no_colour()
    {
        var s = new Scenario();

        var result = s.SetBlockers(1, 10, Blocker.Isolation);

        Assert.Empty(result.Changes);
        Assert.Equal(CodeColour.None, s.Colour);
        Assert.Equal(Blocker.Isolation, s.State.Blockers);
    }
}
