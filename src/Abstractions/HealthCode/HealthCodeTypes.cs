namespace Sanmenxia.HealthCode;

// Ordered from best to worst after None, so "worse" is a numeric comparison.
[GenerateSerializer, Alias("sanmenxia.CodeColour")]
public enum CodeColour
{
    None = 0, // never applied
    Green = 1,
    Yellow = 2,
    Red = 3,
}

// Causes outside the clock-in rules that make a person ineligible until staff clear them.
[Flags]
[GenerateSerializer, Alias("sanmenxia.Blocker")]
public enum Blocker
{
    None = 0,
    Fever = 1,
    Isolation = 2,
    CloseContact = 4,
    Observation = 8,
    /// <summary>
    /// A possible exposure awaiting the village's check (a co-traveler match, a lead naming the person): derived from the
    /// register's pending entries, so confirming (close contact) or dismissing it only changes the derived blockers.
    /// </summary>
    PendingExposure = 16,
}

[GenerateSerializer, Alias("sanmenxia.ChangeCause")]
public enum ChangeCause
{
    Applied = 0,
    MissedClockIn = 1,
    ClockedInWhileYellow = 2,
    RedStreakCompleted = 3,
    BlockerRaised = 4,
    BlockerCleared = 5,
}

// The colour rules as data; every number the article leaves open is here so it can be configured.
// Init properties with defaults make it bindable from configuration as well as constructible in code.
[GenerateSerializer, Immutable, Alias("sanmenxia.HealthCodePolicy")]
public sealed record HealthCodePolicy
{
    public static HealthCodePolicy Default { get; } = new();

    [Id(0)] public decimal FeverThresholdCelsius { get; init; } = 37.3m;
    [Id(1)] public int YellowMissedDaysToRed { get; init; } = 2;
    [Id(2)] public int RedConsecutiveClockInsToGreen { get; init; } = 3;
    [Id(3)] public CodeColour IsolationColour { get; init; } = CodeColour.Red;
    [Id(4)] public CodeColour CloseContactColour { get; init; } = CodeColour.Red;
    [Id(5)] public CodeColour FeverColour { get; init; } = CodeColour.Yellow;
    [Id(6)] public CodeColour ObservationColour { get; init; } = CodeColour.Red;
    [Id(7)] public string TimeZoneId { get; init; } = "Asia/Shanghai";
    [Id(8)] public int ObservationDays { get; init; } = 14;
    /// <summary>The colour of a possible exposure awaiting the village's check (docs/domain.md: yellow, a choice).</summary>
    [Id(9)] public CodeColour PendingExposureColour { get; init; } = CodeColour.Yellow;

    // For options validation at start-up; the rules assume a valid policy.
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (FeverThresholdCelsius is < 35m or > 42m)
        {
            problems.Add($"FeverThresholdCelsius {FeverThresholdCelsius} must be between 35 and 42.");
        }

        if (YellowMissedDaysToRed < 1)
        {
            problems.Add("YellowMissedDaysToRed must be at least 1.");
        }

        if (RedConsecutiveClockInsToGreen < 1)
        {
            problems.Add("RedConsecutiveClockInsToGreen must be at least 1.");
        }

        foreach (var (name, colour) in new[]
                 {
                     (nameof(IsolationColour), IsolationColour), (nameof(CloseContactColour), CloseContactColour),
                     (nameof(FeverColour), FeverColour), (nameof(ObservationColour), ObservationColour),
                     (nameof(PendingExposureColour), PendingExposureColour),
                 })
        {
            if (colour is not (CodeColour.Yellow or CodeColour.Red))
            {
                problems.Add($"{name} must be Yellow or Red (a blocker that shows green would hide the cause).");
            }
        }

        if (string.IsNullOrWhiteSpace(TimeZoneId))
        {
            problems.Add("TimeZoneId is required.");
        }

        if (ObservationDays < 1)
        {
            problems.Add("ObservationDays must be at least 1.");
        }

        return problems;
    }
}

// A person's code. BaseColour is the clock-in machine; Blockers overlay it (see HealthCodeRules.DisplayedColour).
[GenerateSerializer, Immutable, Alias("sanmenxia.HealthCodeState")]
public sealed record HealthCodeState
{
    public static HealthCodeState NotApplied { get; } = new();

    [Id(0)] public CodeColour BaseColour { get; init; } = CodeColour.None;
    [Id(1)] public DateOnly? AppliedOn { get; init; }
    [Id(2)] public DateOnly? LastClockInDay { get; init; }

    // The last calendar day whose end has been evaluated; days after it are still open.
    [Id(3)] public DateOnly? ClosedThrough { get; init; }

    // Consecutive missed days while yellow, not counting the missed day that turned the code yellow.
    [Id(4)] public int YellowMissedDays { get; init; }

    // Consecutive clock-in days while red.
    [Id(5)] public int RedStreak { get; init; }

    [Id(6)] public Blocker Blockers { get; init; }
    [Id(7)] public decimal? LastTemperature { get; init; }

    public bool IsApplied => AppliedOn is not null;
}

// A change of the displayed colour. For a day close, At is the deadline (start of the next day in the
// policy time zone), not the moment the close was evaluated, so late timer ticks give the same history.
[GenerateSerializer, Immutable, Alias("sanmenxia.ColourChange")]
public sealed record ColourChange(
    [Id(0)] DateTimeOffset At,
    [Id(1)] CodeColour From,
    [Id(2)] CodeColour To,
    [Id(3)] ChangeCause Cause,
    [Id(4)] string Detail);

// Refusal is empty when the operation was accepted; when refused the state is the input state.
[GenerateSerializer, Immutable, Alias("sanmenxia.HealthCodeResult")]
public sealed record HealthCodeResult(
    [Id(0)] HealthCodeState State,
    [Id(1)] IReadOnlyList<ColourChange> Changes,
    [Id(2)] IReadOnlyList<string> Refusal)
{
    public HealthCodeResult(HealthCodeState state, IReadOnlyList<ColourChange> changes)
        : this(state, changes, [])
    {
    }

    public bool Accepted => Refusal.Count == 0;

    public static HealthCodeResult Refused(HealthCodeState state, params string[] reasons) => new(state, [], reasons);
}

// What a resident sees and why. ReasonCode/NextStepCode are stable keys for the UI to translate.
[GenerateSerializer, Immutable, Alias("sanmenxia.CodeExplanation")]
public sealed record CodeExplanation(
    [Id(0)] CodeColour Colour,
    [Id(1)] string ReasonCode,
    [Id(2)] string Reason,
    [Id(3)] string NextStepCode,
    [Id(4)] string NextStep,
    [Id(5)] bool ClockedInToday,
    [Id(6)] DateOnly? GreenOn,
    [Id(7)] int RedStreak,
    [Id(8)] DateTimeOffset? DeadlineAt,
    [Id(9)] PendingExposureNotice? PendingExposure = null);

/// <summary>
/// The earliest possible exposure awaiting the village's check, as the resident is told it: what it is (e.g. "on train
/// G1234 on 2020-01-30"), the instant by which the village must decide, and whether that has passed.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PendingExposureNotice")]
public sealed record PendingExposureNotice(
    [property: Id(0)] string Source,
    [property: Id(1)] DateTimeOffset DecideBy,
    [property: Id(2)] bool Overdue);

public static class ReasonCodes
{
    public const string NotApplied = "none.not-applied";
    public const string GreenClockedInToday = "green.clocked-in-today";
    public const string GreenClockInDue = "green.clock-in-due";
    public const string YellowMissedClockIn = "yellow.missed-clock-in";
    public const string RedMissedYellowDays = "red.missed-two-yellow-days";
    public const string RedStreak = "red.streak";
    public const string BlockedFever = "blocked.fever";
    public const string BlockedIsolation = "blocked.isolation";
    public const string BlockedCloseContact = "blocked.close-contact";
    public const string BlockedObservation = "blocked.observation";
    public const string BlockedPendingExposure = "blocked.pending-exposure";
}

public static class NextStepCodes
{
    public const string Apply = "apply";
    public const string ClockInToday = "clock-in-today";
    public const string ClockInTomorrow = "clock-in-tomorrow";
    public const string WaitForStaff = "wait-for-staff";
    public const string AwaitVillageCheck = "await-village-check";
}
