using Sanmenxia.HealthCode;
using Xunit;
using static Sanmenxia.UnitTests.HealthCode.Scenario;

namespace Sanmenxia.UnitTests.HealthCode;

public class HealthCodeExplainTests
{
    [Fact]
    public void Not_applied_asks_to_apply()
    {
        var e = new Scenario().Explain(1, 9);

        Assert.Equal(CodeColour.None, e.Colour);
        Assert.Equal(ReasonCodes.NotApplied, e.ReasonCode);
        Assert.Equal(NextStepCodes.Apply, e.NextStepCode);
        Assert.Null(e.GreenOn);
        Assert.Null(e.DeadlineAt);
        Assert.False(e.ClockedInToday);
    }

    [Fact]
    public void Green_clocked_in_today_has_tomorrows_deadline()
    {
        var s = new Scenario().Run("CC");

        var e = s.Explain(2, 20);

        Assert.Equal(CodeColour.Green, e.Colour);
        Assert.Equal(ReasonCodes.GreenClockedInToday, e.ReasonCode);
        Assert.Equal(NextStepCodes.ClockInTomorrow, e.NextStepCode);
        Assert.True(e.ClockedInToday);
        Assert.Null(e.GreenOn);
        Assert.Equal(At(4, 0), e.DeadlineAt);
    }

    [Fact]
    public void Green_not_yet_clocked_in_has_tonights_deadline()
    {
        var s = new Scenario().Run("C");

        var e = s.Explain(2, 7);

        Assert.Equal(CodeColour.Green, e.Colour);
        Assert.Equal(ReasonCodes.GreenClockInDue, e.ReasonCode);
        Assert.Equal(NextStepCodes.ClockInToday, e.NextStepCode);
        Assert.False(e.ClockedInToday);
        Assert.Equal(DateTimeOffset.Parse("2020-02-02T16:00:00Z"), e.DeadlineAt);
    }

    [Fact]
    public void Yellow_turns_green_today()
    {
        var e = new Scenario().Run("C-").Explain(3, 7);

        Assert.Equal(CodeColour.Yellow, e.Colour);
        Assert.Equal(ReasonCodes.YellowMissedClockIn, e.ReasonCode);
        Assert.Equal(NextStepCodes.ClockInToday, e.NextStepCode);
        Assert.Equal(Day(3), e.GreenOn);
        Assert.Contains("2 more missed day(s) turn it red", e.Reason);
    }

    [Theory]
    [InlineData("C---", 5, 7, 0, ReasonCodes.RedMissedYellowDays)] // streak 0, not clocked in today: 3 more days
    [InlineData("C---C", 5, 7, 1, ReasonCodes.RedStreak)] // streak 1, clocked in today
    [InlineData("C---C", 6, 7, 1, ReasonCodes.RedStreak)] // streak 1, not clocked in today yet
    [InlineData("C---CC", 6, 7, 2, ReasonCodes.RedStreak)] // streak 2, clocked in today
    [InlineData("C---CC", 7, 7, 2, ReasonCodes.RedStreak)] // streak 2, today's clock-in turns it green
    [InlineData("C---CC-", 8, 10, 0, ReasonCodes.RedMissedYellowDays)] // broken streak
    public void Red_green_on_counts_the_remaining_consecutive_clock_ins(string pattern, int explainDay, int greenDay, int streak, string reason)
    {
        var s = new Scenario().Run(pattern);

        var e = s.Explain(explainDay, 21);

        Assert.Equal(CodeColour.Red, e.Colour);
        Assert.Equal(reason, e.ReasonCode);
        Assert.Equal(streak, e.RedStreak);
        Assert.Equal(Day(greenDay), e.GreenOn);
        Assert.Equal(explainDay == pattern.Length && pattern[^1] == 'C', e.ClockedInToday);
    }

    [Fact]
    public void Red_green_on_follows_the_policy_streak_length()
    {
        var s = new Scenario(HealthCodePolicy.Default with { RedConsecutiveClockInsToGreen = 2 }).Run("C---");

        Assert.Equal(Day(6), s.Explain(5, 8).GreenOn);
    }

    [Fact]
    public void Explain_closes_past_days_virtually_without_changing_state()
    {
        var s = new Scenario().Run("C", closeEachDay: false);
        var before = s.State;

        var e = s.Explain(5, 8);

        Assert.Equal(CodeColour.Red, e.Colour);
        Assert.Equal(Day(7), e.GreenOn);
        Assert.Same(before, s.State);
        Assert.Equal(Day(1).AddDays(-1), s.State.ClosedThrough);
    }

    [Theory]
    [InlineData(Blocker.Isolation, CodeColour.Red, ReasonCodes.BlockedIsolation)]
    [InlineData(Blocker.CloseContact, CodeColour.Red, ReasonCodes.BlockedCloseContact)]
    [InlineData(Blocker.Observation, CodeColour.Red, ReasonCodes.BlockedObservation)]
    [InlineData(Blocker.Fever, CodeColour.Yellow, ReasonCodes.BlockedFever)]
    [InlineData(Blocker.Fever | Blocker.Isolation, CodeColour.Red, ReasonCodes.BlockedIsolation)]
    [InlineData(Blocker.Fever | Blocker.Observation, CodeColour.Red, ReasonCodes.BlockedObservation)]
    public void Blocked_codes_name_the_cause_and_have_no_green_date(Blocker blockers, CodeColour colour, string reason)
    {
        var s = new Scenario().Run("CC");
        s.SetBlockers(2, 12, blockers);

        var e = s.Explain(2, 13);

        Assert.Equal(colour, e.Colour);
        Assert.Equal(reason, e.ReasonCode);
        Assert.Equal(NextStepCodes.WaitForStaff, e.NextStepCode);
        Assert.Null(e.GreenOn);
        Assert.Contains("staff", e.NextStep);
    }

    [Fact]
    public void Red_clock_in_colour_with_a_fever_blocker_explains_red_but_has_no_green_date()
    {
        var s = new Scenario().Run("C---");
        s.ClockIn(5, temperature: 38.2m);

        var e = s.Explain(5, 20);

        Assert.Equal(CodeColour.Red, e.Colour);
        Assert.Equal(ReasonCodes.RedStreak, e.ReasonCode);
        Assert.Null(e.GreenOn);
        Assert.Contains("fever", e.NextStep);
    }
}
