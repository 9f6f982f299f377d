using Microsoft.Extensions.Time.Testing;
using Sanmenxia.HealthCode;
using Xunit;

namespace Sanmenxia.UnitTests.HealthCode;

// Drives the pure rules the way a grain would: a clock, a stored state and the accumulated history.
// Day n is 2020-02-n in Asia/Shanghai (day 30 is 2020-03-01).
internal sealed class Scenario(HealthCodePolicy? policy = null)
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);
    public const decimal Normal = 36.5m;

    public HealthCodePolicy Policy { get; } = policy ?? HealthCodePolicy.Default;
    public FakeTimeProvider Clock { get; } = new(At(1, 0));
    public HealthCodeState State { get; private set; } = HealthCodeState.NotApplied;
    public List<ColourChange> History { get; } = [];

    public CodeColour Colour => HealthCodeRules.DisplayedColour(Policy, State);

    public static DateOnly Day(int day) => new DateOnly(2020, 2, 1).AddDays(day - 1);

    public static DateTimeOffset At(int day, int hour, int minute = 0) =>
        new DateTimeOffset(2020, 2, 1, 0, 0, 0, China).AddDays(day - 1).AddHours(hour).AddMinutes(minute);

    public HealthCodeResult Apply(int day, int hour = 9, decimal temperature = Normal, bool pledge = true, Blocker blockers = Blocker.None)
    {
        Clock.SetUtcNow(At(day, hour));
        return Record(HealthCodeRules.Apply(Policy, State, Clock.GetUtcNow(), temperature, pledge, blockers));
    }

    public HealthCodeResult ClockIn(int day, int hour = 9, decimal temperature = Normal, int minute = 0)
    {
        Clock.SetUtcNow(At(day, hour, minute));
        return Record(HealthCodeRules.ClockIn(Policy, State, Clock.GetUtcNow(), temperature));
    }

    public HealthCodeResult CloseThrough(int day) => Record(HealthCodeRules.CloseDaysThrough(Policy, State, Day(day)));

    public HealthCodeResult SetBlockers(int day, int hour, Blocker blockers)
    {
        Clock.SetUtcNow(At(day, hour));
        return Record(HealthCodeRules.SetBlockers(Policy, State, Clock.GetUtcNow(), blockers));
    }

    public CodeExplanation Explain(int day, int hour) => HealthCodeRules.Explain(Policy, State, At(day, hour));

    // Runs days 1..pattern.Length: day 1 is the application, later days clock in where the pattern says,
    // and each day is closed at its end like a punctual timer would.
    public Scenario Run(string pattern, bool closeEachDay = true)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            var day = i + 1;
            if (pattern[i] == 'C')
            {
                var result = day == 1 ? Apply(day) : ClockIn(day);
                Assert.True(result.Accepted, string.Join("; ", result.Refusal));
            }

            if (closeEachDay)
            {
                CloseThrough(day);
            }
        }

        return this;
    }

    private HealthCodeResult Record(HealthCodeResult result)
    {
        State = result.State;
        History.AddRange(result.Changes);
        return result;
    }
}
