using System.Collections.Concurrent;
using System.Globalization;

namespace Sanmenxia.HealthCode;

// The green-code colour machine of docs/domain.md as pure functions: no clock, no I/O. Callers pass "now";
// day boundaries come from the policy time zone. Every operation first closes the days that ended
// before "now", so the result does not depend on whether or when a timer ticked.
public static partial class HealthCodeRules
{
    // Plausible body temperatures; anything else is a typing error (e.g. 3.65 or 373), not a reading.
    public const decimal MinPlausibleTemperature = 34.0m;
    public const decimal MaxPlausibleTemperature = 43.0m;

    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    // Order in which a blocker is named when several show the same colour: the most serious first.
    private static readonly Blocker[] BlockerPriority =
        [Blocker.Isolation, Blocker.CloseContact, Blocker.Observation, Blocker.PendingExposure, Blocker.Fever];

    // Blockers that do not refuse an application: the code is issued and shows their colour until the cause is decided.
    private const Blocker IssuedWith = Blocker.PendingExposure;

    public static TimeZoneInfo TimeZone(HealthCodePolicy policy) => Zones.GetOrAdd(policy.TimeZoneId, ResolveZone);

    public static DateOnly Today(HealthCodePolicy policy, DateTimeOffset now) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZone(policy)).DateTime);

    // The deadline of a day: the instant the next day starts in the policy time zone.
    public static DateTimeOffset EndOfDay(HealthCodePolicy policy, DateOnly day)
    {
        var zone = TimeZone(policy);
        var nextMidnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

        // The offset in force at the last moment of the day, so a DST jump at midnight still ends the day once.
        var offset = zone.GetUtcOffset(nextMidnight.AddTicks(-1));
        return new DateTimeOffset(nextMidnight, offset);
    }

    // The colour a blocker set forces, or None when there is no blocker.
    public static CodeColour BlockerColour(HealthCodePolicy policy, Blocker blockers)
    {
        var worst = CodeColour.None;
        foreach (var blocker in BlockerPriority)
        {
            if (blockers.HasFlag(blocker))
            {
                worst = Worse(worst, ColourOf(policy, blocker));
            }
        }

        return worst;
    }

    // What a checkpoint shows: the worse of the clock-in colour and the blockers' colour.
    public static CodeColour DisplayedColour(HealthCodePolicy policy, HealthCodeState state) =>
        state.IsApplied ? Worse(state.BaseColour, BlockerColour(policy, state.Blockers)) : CodeColour.None;

    public static HealthCodeResult Apply(
        HealthCodePolicy policy, HealthCodeState state, DateTimeOffset now, decimal temperature, bool honestyPledge, Blocker blockers)
    {
        if (state.IsApplied)
        {
            return HealthCodeResult.Refused(state, "already applied");
        }

        var reasons = new List<string>();
        if (!honestyPledge)
        {
            reasons.Add("the honesty pledge is required");
        }

        if (DescribeImplausible(temperature) is { } implausible)
        {
            reasons.Add(implausible);
        }
        else if (temperature >= policy.FeverThresholdCelsius)
        {
            reasons.Add($"temperature {Format(temperature)} °C is at or above {Format(policy.FeverThresholdCelsius)} °C");
        }

        // Blockers already known for this person count as much as those the caller looked up.
        var effective = state.Blockers | blockers;
        reasons.AddRange(BlockerPriority.Where(b => (b & IssuedWith) == 0 && effective.HasFlag(b)).Select(b => $"not eligible: {Describe(b)}"));
        if (reasons.Count > 0)
        {
            return new HealthCodeResult(state, [], reasons);
        }

        var today = Today(policy, now);
        var applied = state with
        {
            BaseColour = CodeColour.Green,
            AppliedOn = today,
            LastClockInDay = today, // the application is today's clock-in
            ClosedThrough = today.AddDays(-1), // days before the application are never evaluated
            YellowMissedDays = 0,
            RedStreak = 0,
            Blockers = effective & IssuedWith, // a possible exposure awaiting the village's check shows from the start
            LastTemperature = temperature,
        };
        var pendingNote = applied.Blockers == Blocker.None ? string.Empty : $"; {DescribeAll(applied.Blockers)}";
        return new HealthCodeResult(
            applied,
            [new ColourChange(now, CodeColour.None, DisplayedColour(policy, applied), ChangeCause.Applied,
                $"applied on {Format(today)} with the honesty pledge{pendingNote}")]);
    }

    // Evaluates the end of every open day up to and including lastDayToClose. Idempotent: days already
    // closed are skipped, so duplicated, late or missed ticks all converge on the same state.
    // Only pass days that have ended (at most yesterday): a closed day cannot be clocked in any more.
    public static HealthCodeResult CloseDaysThrough(HealthCodePolicy policy, HealthCodeState state, DateOnly lastDayToClose)
    {
        if (state.AppliedOn is not { } appliedOn)
        {
            return new HealthCodeResult(state, []);
        }

        var firstOpenDay = state.ClosedThrough?.AddDays(1) ?? appliedOn;
        if (lastDayToClose < firstOpenDay)
        {
            return new HealthCodeResult(state, []);
        }

        var timeline = new Timeline(policy, state);
        for (var day = firstOpenDay; day <= lastDayToClose; day = day.AddDays(1))
        {
            CloseDay(policy, timeline, day);

            // Red with no streak and no further clock-in is a fixed point: skip the rest of a long outage.
            var current = timeline.State;
            if (current is { BaseColour: CodeColour.Red, RedStreak: 0 } && !(current.LastClockInDay > day))
            {
                break;
            }
        }

        timeline.Replace(timeline.State with { ClosedThrough = lastDayToClose });
        return timeline.ToResult();
    }

    public static HealthCodeResult ClockIn(HealthCodePolicy policy, HealthCodeState state, DateTimeOffset now, decimal temperature)
    {
        if (!state.IsApplied)
        {
            return HealthCodeResult.Refused(state, "not applied: apply for a health code first");
        }

        if (DescribeImplausible(temperature) is { } implausible)
        {
            return HealthCodeResult.Refused(state, implausible);
        }

        var today = Today(policy, now);
        var timeline = new Timeline(policy, CloseDaysThrough(policy, state, today.AddDays(-1)));
        var current = timeline.State;

        // At most one clock-in per day counts (also when the clock went back); later ones only record the reading.
        if (current.LastClockInDay >= today)
        {
            timeline.Replace(current with { LastTemperature = temperature });
        }
        else
        {
            var clockedIn = current with { LastClockInDay = today, LastTemperature = temperature };
            var detail = $"clocked in on {Format(today)}";
            switch (clockedIn.BaseColour)
            {
                case CodeColour.Yellow:
                    timeline.Set(clockedIn with { BaseColour = CodeColour.Green, YellowMissedDays = 0 }, now, ChangeCause.ClockedInWhileYellow, detail);
                    break;
                case CodeColour.Red:
                    var streak = clockedIn.RedStreak + 1;
                    timeline.Set(
                        streak >= policy.RedConsecutiveClockInsToGreen
                            ? clockedIn with { BaseColour = CodeColour.Green, RedStreak = 0 }
                            : clockedIn with { RedStreak = streak },
                        now,
                        ChangeCause.RedStreakCompleted,
                        $"{Ordinal(streak)} consecutive daily clock-in on {Format(today)}");
                    break;
                default:
                    timeline.Replace(clockedIn);
                    break;
            }
        }

        // Any fever reading counts, even a second one on the same day: staff must clear it.
        if (temperature >= policy.FeverThresholdCelsius && !timeline.State.Blockers.HasFlag(Blocker.Fever))
        {
            timeline.Set(
                timeline.State with { Blockers = timeline.State.Blockers | Blocker.Fever },
                now,
                ChangeCause.BlockerRaised,
                $"temperature {Format(temperature)} °C at clock-in");
        }

        return timeline.ToResult();
    }

    // Replaces the blocker set (staff raise or clear causes). Days that ended before now are closed first
    // under the old blockers, so the history stays in time order.
    public static HealthCodeResult SetBlockers(HealthCodePolicy policy, HealthCodeState state, DateTimeOffset now, Blocker blockers)
    {
        var timeline = new Timeline(policy, CloseDaysThrough(policy, state, Today(policy, now).AddDays(-1)));
        var before = timeline.State;
        if (before.Blockers == blockers)
        {
            return timeline.ToResult();
        }

        var next = before with { Blockers = blockers };
        var raised = blockers & ~before.Blockers;
        var cleared = before.Blockers & ~blockers;
        var parts = new List<string>();
        if (raised != Blocker.None)
        {
            parts.Add($"raised: {DescribeAll(raised)}");
        }

        if (cleared != Blocker.None)
        {
            parts.Add($"cleared: {DescribeAll(cleared)}");
        }

        var gettingWorse = DisplayedColour(policy, next) > DisplayedColour(policy, before);
        if (!gettingWorse && next.IsApplied)
        {
            parts.Add($"clock-in colour is {next.BaseColour.ToString().ToLowerInvariant()}");
        }

        timeline.Set(next, now, gettingWorse ? ChangeCause.BlockerRaised : ChangeCause.BlockerCleared, string.Join("; ", parts));
        return timeline.ToResult();
    }

    private static void CloseDay(HealthCodePolicy policy, Timeline timeline, DateOnly day)
    {
        var state = timeline.State;
        if (state.LastClockInDay == day || state.AppliedOn == day)
        {
            return;
        }

        var at = EndOfDay(policy, day);
        var detail = $"no clock-in on {Format(day)}";
        switch (state.BaseColour)
        {
            case CodeColour.Green:
                timeline.Set(state with { BaseColour = CodeColour.Yellow, YellowMissedDays = 0 }, at, ChangeCause.MissedClockIn, detail);
                break;
            case CodeColour.Yellow:
                var missed = state.YellowMissedDays + 1;
                timeline.Set(
                    missed >= policy.YellowMissedDaysToRed
                        ? state with { BaseColour = CodeColour.Red, YellowMissedDays = 0, RedStreak = 0 }
                        : state with { YellowMissedDays = missed },
                    at,
                    ChangeCause.MissedClockIn,
                    $"{detail} ({Ordinal(missed)} yellow day missed)");
                break;
            case CodeColour.Red:
                // Red never gets worse; a missed day only restarts the streak.
                timeline.Set(state with { RedStreak = 0 }, at, ChangeCause.MissedClockIn, $"{detail} (red streak restarts)");
                break;
        }
    }

    private static CodeColour ColourOf(HealthCodePolicy policy, Blocker blocker) => blocker switch
    {
        Blocker.Fever => policy.FeverColour,
        Blocker.Isolation => policy.IsolationColour,
        Blocker.CloseContact => policy.CloseContactColour,
        Blocker.Observation => policy.ObservationColour,
        Blocker.PendingExposure => policy.PendingExposureColour,
        _ => CodeColour.None,
    };

    private static CodeColour Worse(CodeColour a, CodeColour b) => a >= b ? a : b;

    private static string BlockerReasonCode(Blocker blocker) => blocker switch
    {
        Blocker.Fever => ReasonCodes.BlockedFever,
        Blocker.Isolation => ReasonCodes.BlockedIsolation,
        Blocker.CloseContact => ReasonCodes.BlockedCloseContact,
        Blocker.PendingExposure => ReasonCodes.BlockedPendingExposure,
        _ => ReasonCodes.BlockedObservation,
    };

    private static string Describe(Blocker blocker) => blocker switch
    {
        Blocker.Fever => "fever",
        Blocker.Isolation => "isolation",
        Blocker.CloseContact => "close contact with a case",
        Blocker.PendingExposure => "possible exposure awaiting the village's check",
        _ => "open key-person observation",
    };

    private static string DescribeAll(Blocker blockers) =>
        string.Join(", ", BlockerPriority.Where(b => blockers.HasFlag(b)).Select(Describe));

    private static string? DescribeImplausible(decimal temperature) =>
        temperature is < MinPlausibleTemperature or > MaxPlausibleTemperature
            ? $"temperature {Format(temperature)} °C is not a plausible body temperature"
            : null;

    private static string Name(CodeColour colour) => colour.ToString().ToLowerInvariant();

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // An instant as the resident's calendar reads it: local date and time in the policy time zone.
    private static string Format(HealthCodePolicy policy, DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, TimeZone(policy)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Format(decimal temperature) => temperature.ToString("0.0#", CultureInfo.InvariantCulture);

    private static string Ordinal(int n) => (n % 100) switch
    {
        11 or 12 or 13 => $"{n}th",
        _ => (n % 10) switch { 1 => $"{n}st", 2 => $"{n}nd", 3 => $"{n}rd", _ => $"{n}th" },
    };

    private static TimeZoneInfo ResolveZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // Hosts without tzdata: China has had a fixed +08:00 offset since 1991.
            return TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromHours(8), id, id);
        }
    }

    // Accumulates state and records a history entry whenever the displayed colour changes.
    private sealed class Timeline
    {
        private readonly HealthCodePolicy _policy;
        private readonly List<ColourChange> _changes;

        public Timeline(HealthCodePolicy policy, HealthCodeState state)
        {
            _policy = policy;
            _changes = [];
            State = state;
        }

        public Timeline(HealthCodePolicy policy, HealthCodeResult earlier)
        {
            _policy = policy;
            _changes = [.. earlier.Changes];
            State = earlier.State;
        }

        public HealthCodeState State { get; private set; }

        public void Set(HealthCodeState next, DateTimeOffset at, ChangeCause cause, string detail)
        {
            var from = DisplayedColour(_policy, State);
            var to = DisplayedColour(_policy, next);
            State = next;
            if (from != to)
            {
                _changes.Add(new ColourChange(at, from, to, cause, detail));
            }
        }

        public void Replace(HealthCodeState next) => State = next;

        public HealthCodeResult ToResult() => new(State, _changes.ToArray());
    }
}
