using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.HealthCode;

namespace Sanmenxia.UnitTests.HealthCode;

// Laws of the day-close spread beyond the distribution test in DeadlineSpreadTests.
public sealed class DeadlineSpreadPropertiesTests
{
    private static readonly Arbitrary<(string Key, int Minutes)> KeysAndWindows =
        (from n in Gen.Choose(0, int.MaxValue)
         from minutes in Gen.Choose(1, 24 * 60)
         select ("r" + n.ToString("x"), minutes)).ToArbitrary();

    [Property]
    public Property The_offset_falls_inside_the_window() =>
        Prop.ForAll(KeysAndWindows, p =>
        {
            var offset = DeadlineSpread.Offset(p.Key, TimeSpan.FromMinutes(p.Minutes));
            return offset >= TimeSpan.Zero && offset < TimeSpan.FromMinutes(p.Minutes);
        });

    [Property]
    public Property A_wider_window_never_moves_a_key_earlier() =>
        Prop.ForAll(KeysAndWindows, p =>
            DeadlineSpread.Offset(p.Key, TimeSpan.FromMinutes(p.Minutes)) <= DeadlineSpread.Offset(p.Key, TimeSpan.FromMinutes(p.Minutes + 1)));

    [Property]
    public Property A_key_keeps_its_place_in_the_window_when_the_window_is_doubled() =>
        Prop.ForAll(KeysAndWindows, p =>
        {
            var once = DeadlineSpread.Offset(p.Key, TimeSpan.FromMinutes(p.Minutes));
            var doubled = DeadlineSpread.Offset(p.Key, TimeSpan.FromMinutes(2 * p.Minutes));
            return Math.Abs(doubled.Ticks - 2 * once.Ticks) <= 2;
        });

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void No_window_or_a_negative_one_means_at_midnight(int minutes) =>
        Assert.Equal(TimeSpan.Zero, DeadlineSpread.Offset("rkey", TimeSpan.FromMinutes(minutes)));

    [Fact]
    public void The_offset_is_the_same_in_every_process()
    {
        // FNV-1a, not string.GetHashCode (randomised per process): pinned values would catch a change of hash.
        var window = TimeSpan.FromHours(1);
        var empty = DeadlineSpread.Offset("", window);

        Assert.Equal(TimeSpan.FromTicks((long)(2166136261u / ((double)uint.MaxValue + 1) * window.Ticks)), empty);
        Assert.NotEqual(DeadlineSpread.Offset("ra", window), DeadlineSpread.Offset("rb", window));
    }
}
