using Sanmenxia.HealthCode;
using Xunit;

namespace Sanmenxia.UnitTests.HealthCode;

public sealed class DeadlineSpreadTests
{
    [Fact]
    public void Offsets_cover_the_whole_window_evenly_and_are_stable()
    {
        var window = TimeSpan.FromMinutes(60);
        var offsets = Enumerable.Range(0, 20_000).Select(i => DeadlineSpread.Offset("r" + i.ToString("x26"), window)).ToList();
        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, window - TimeSpan.FromTicks(1)));
        // Each of the six 10-minute slices holds about a sixth (a 32-bit modulo bug once kept all within 7 minutes).
        var perSlice = offsets.GroupBy(o => (int)(o.TotalMinutes / 10)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, perSlice.Count);
        Assert.All(perSlice.Values, count => Assert.InRange(count, 20_000 / 6 * 0.9, 20_000 / 6 * 1.1));
        Assert.Equal(DeadlineSpread.Offset("rsame", window), DeadlineSpread.Offset("rsame", window));
        Assert.Equal(TimeSpan.Zero, DeadlineSpread.Offset("rany", TimeSpan.Zero));
    }
}
