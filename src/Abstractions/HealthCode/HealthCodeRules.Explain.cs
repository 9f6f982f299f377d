namespace Sanmenxia.HealthCode;

// What a resident is told: the colour as of now and why, with the next step (HealthCodeRules' explanation half).
public static partial class HealthCodeRules
{
    // A pure projection: the colour as of now (days through yesterday virtually closed) and why.
    // A possible exposure awaiting the village's check is named by <paramref name="exposure"/> (the register knows it; the
    // code state only carries the blocker), and the explanation carries it whenever the code has that blocker.
    public static CodeExplanation Explain(HealthCodePolicy policy, HealthCodeState state, DateTimeOffset now, PendingExposureNotice? exposure = null)
    {
        if (!state.IsApplied)
        {
            return new CodeExplanation(
                CodeColour.None, ReasonCodes.NotApplied, "You have not applied for a health code.",
                NextStepCodes.Apply, "Apply with your basic data, today's temperature and the honesty pledge.",
                ClockedInToday: false, GreenOn: null, RedStreak: 0, DeadlineAt: null);
        }

        var today = Today(policy, now);
        var current = CloseDaysThrough(policy, state, today.AddDays(-1)).State;
        var colour = DisplayedColour(policy, current);
        var clockedInToday = current.LastClockInDay >= today;
        var deadline = EndOfDay(policy, clockedInToday ? today.AddDays(1) : today);
        var blockerColour = BlockerColour(policy, current.Blockers);
        var needed = policy.RedConsecutiveClockInsToGreen;
        var notice = current.Blockers.HasFlag(Blocker.PendingExposure) ? exposure : null;

        if (current.Blockers != Blocker.None && blockerColour >= current.BaseColour)
        {
            var main = BlockerPriority.First(b => current.Blockers.HasFlag(b) && ColourOf(policy, b) == blockerColour);
            if (main == Blocker.PendingExposure) return ExplainPendingExposure(policy, colour, notice, clockedInToday, current.RedStreak, deadline);
            return new CodeExplanation(
                colour, BlockerReasonCode(main), $"Your code is {Name(colour)} because of {Describe(main)}; staff must clear it.",
                NextStepCodes.WaitForStaff,
                $"Keep clocking in every day; the code cannot turn green until staff clear the {Describe(main)}.",
                clockedInToday, GreenOn: null, current.RedStreak, deadline, notice);
        }

        // Any blocker, even one milder than the clock-in colour, keeps the code from turning green.
        var blockedNote = current.Blockers == Blocker.None
            ? string.Empty
            : $" Staff must also clear the {DescribeAll(current.Blockers)} before it can turn green.";
        DateOnly? GreenIf(DateOnly date) => current.Blockers == Blocker.None ? date : null;

        var explained = current.BaseColour switch
        {
            CodeColour.Green when clockedInToday => new CodeExplanation(
                colour, ReasonCodes.GreenClockedInToday, "Your code is green and you have clocked in today.",
                NextStepCodes.ClockInTomorrow, "Clock in again tomorrow.", true, null, 0, deadline),
            CodeColour.Green => new CodeExplanation(
                colour, ReasonCodes.GreenClockInDue, "Your code is green; you have not clocked in today yet.",
                NextStepCodes.ClockInToday, "Clock in before midnight, or the code turns yellow.", false, null, 0, deadline),
            CodeColour.Yellow => new CodeExplanation(
                colour, ReasonCodes.YellowMissedClockIn,
                $"Your code is yellow because you missed a daily clock-in; {policy.YellowMissedDaysToRed - current.YellowMissedDays} more missed day(s) turn it red.",
                NextStepCodes.ClockInToday, "Clock in today and the code turns green at once." + blockedNote,
                clockedInToday, GreenIf(today), 0, deadline),
            _ => new CodeExplanation(
                colour,
                current.RedStreak == 0 ? ReasonCodes.RedMissedYellowDays : ReasonCodes.RedStreak,
                current.RedStreak == 0
                    ? $"Your code is red because it stayed yellow for {policy.YellowMissedDaysToRed} day(s) without a clock-in, or a red streak was broken."
                    : $"Your code is red; you have clocked in on {current.RedStreak} of the {needed} consecutive days needed.",
                clockedInToday ? NextStepCodes.ClockInTomorrow : NextStepCodes.ClockInToday,
                $"Clock in every day: {needed} consecutive daily clock-ins turn the code green; a missed day restarts the count." + blockedNote,
                clockedInToday,
                GreenIf(today.AddDays(needed - current.RedStreak - (clockedInToday ? 0 : 1))),
                current.RedStreak,
                deadline),
        };
        return explained with { PendingExposure = notice };
    }

    private static CodeExplanation ExplainPendingExposure(
        HealthCodePolicy policy, CodeColour colour, PendingExposureNotice? notice, bool clockedInToday, int redStreak, DateTimeOffset deadline)
    {
        var what = notice is null ? "a possible exposure" : $"possible exposure {notice.Source}";
        var by = notice is null ? string.Empty : $" by {Format(policy, notice.DecideBy)}";
        var overdue = notice is { Overdue: true } ? " The decision is overdue and has gone to the township." : string.Empty;
        return new CodeExplanation(
            colour, ReasonCodes.BlockedPendingExposure,
            $"Your code is {Name(colour)}: {what}, awaiting your village's check{by}.{overdue}",
            NextStepCodes.AwaitVillageCheck,
            $"Stay at home and keep clocking in; your village decides{by}: confirmed, the code turns {Name(policy.CloseContactColour)} (close contact); dismissed, it returns to its own colour.",
            clockedInToday, GreenOn: null, redStreak, deadline, notice);
    }
}
