using Sanmenxia.HealthCode;
using Sanmenxia.Residents;

namespace Sanmenxia.IntegrationTests.Support;

/// <summary>Summaries as a resident sends them to its village, for tests that report to villages directly.</summary>
public static class TestSummaries
{
    /// <summary>
    /// Applied and clocked in on the day of <paramref name="now"/>, every earlier day closed (the village projects it to
    /// that day), in <paramref name="colour"/>.
    /// </summary>
    public static ResidentSummary ClockedInToday(string key, DateTimeOffset now, long version = 1, CodeColour colour = CodeColour.Green)
    {
        var today = HealthCodeRules.Today(HealthCodePolicy.Default, now);
        return new(key, version, "测试", "4112**********0011", "h-" + key, HealthCodeState.NotApplied with
        {
            BaseColour = colour,
            AppliedOn = today,
            LastClockInDay = today,
            ClosedThrough = today.AddDays(-1),
        }, 0);
    }
}
