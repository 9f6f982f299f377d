using Sanmenxia.HealthCode;
using Sanmenxia.Regions;
using Xunit;

namespace Sanmenxia.UnitTests.Regions;

public sealed class DayRollSpreadTests
{
    private static readonly TimeSpan Configured = TimeSpan.FromMinutes(60);

    [Fact]
    public void Villages_and_checkpoints_spread_by_the_residents_rule_over_at_most_five_minutes()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), DayRollSpread.Window(Configured));
        Assert.Equal(TimeSpan.FromMinutes(2), DayRollSpread.Window(TimeSpan.FromMinutes(2))); // a shorter configured window stays
        foreach (var key in new[] { "411202001001", "cp-411202001-0001", "411200" })
            Assert.Equal(DayRollSpread.Margin + DeadlineSpread.Offset(key, TimeSpan.FromMinutes(5)), DayRollSpread.Offset(key, Configured));
    }

    [Fact]
    public void The_city_s_villages_fall_after_midnight_within_the_window_evenly_and_the_same_every_time()
    {
        var villages = SanmenxiaRegions.GenerateSyntheticTree(2020, 2_700).Where(r => r.Level == RegionLevel.Village).Select(r => r.Code.Value).ToList();
        Assert.True(villages.Count >= 2_000, $"{villages.Count} villages");
        var offsets = villages.Select(v => DayRollSpread.Offset(v, Configured)).ToList();
        Assert.All(offsets, o => Assert.InRange(o, DayRollSpread.Margin, DayRollSpread.Margin + DayRollSpread.MaxWindow));
        // Every minute of the five holds 10-30 % of them. Not a fifth each: the codes differ in a few digits only, and FNV-1a
        // spreads such keys lumpily (measured 17-26 %), which at some 9 reminders a second for the villages does not matter.
        var perMinute = offsets.GroupBy(o => (int)((o - DayRollSpread.Margin).TotalMinutes)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(5, perMinute.Count);
        Assert.All(perMinute.Values, count => Assert.InRange(count, villages.Count * 0.10, villages.Count * 0.30));
        Assert.Equal(offsets, villages.Select(v => DayRollSpread.Offset(v, Configured)));
    }

    [Fact]
    public void No_window_leaves_only_the_margin()
    {
        Assert.Equal(DayRollSpread.Margin, DayRollSpread.Offset("411202001001", TimeSpan.Zero));
    }
}
