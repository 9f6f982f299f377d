using Sanmenxia.HealthCode;
using Sanmenxia.Residents;
using Sanmenxia.Retention;
using Sanmenxia.Trips;

namespace Sanmenxia.UnitTests.Retention;

/// <summary>What a resident's record drops over time (pure).</summary>
public sealed class ResidentRetentionTests
{
    private static readonly DateTimeOffset Now = new(2020, 3, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Today = new(2020, 3, 1);

    private static CodeHistoryEntry Change(int daysAgo) =>
        new(new ColourChange(Now.AddDays(-daysAgo), CodeColour.Green, CodeColour.Yellow, ChangeCause.MissedClockIn, ""), ActorKind.System);

    private static TripMatch Match(DateOnly travelled) =>
        new(new TripId(TravelMode.Train, "G1", travelled), "c1", TripRisk.SameTrip, "src", Now, Now);

    [Fact]
    public void Only_what_is_older_than_the_periods_is_dropped()
    {
        SelfReport? report = new(36.5m, [], null, Now.AddDays(-29));
        var history = new List<CodeHistoryEntry> { Change(40), Change(27), Change(1) };
        var matches = new List<TripMatch> { Match(Today.AddDays(-15)), Match(Today.AddDays(-14)) };

        Assert.True(ResidentRetention.Prune(ref report, history, matches, Now, Today, selfReportDays: 28, watchDays: 14, tripDaysAfterWatch: 0));
        Assert.Null(report);
        Assert.Equal(2, history.Count);
        // Travelled 15 days ago: the 14-day watch ended yesterday (due); 14 days ago: still watched today.
        Assert.Equal(Today.AddDays(-14), Assert.Single(matches).Trip.Date);

        // Nothing more is due: nothing changes.
        Assert.False(ResidentRetention.Prune(ref report, history, matches, Now, Today, 28, 14, 0));
    }

    [Fact]
    public void A_recent_self_report_stays()
    {
        SelfReport? report = new(36.5m, [], null, Now.AddDays(-2));
        Assert.False(ResidentRetention.Prune(ref report, [], [], Now, Today, 28, 14, 0));
        Assert.NotNull(report);
    }
}
