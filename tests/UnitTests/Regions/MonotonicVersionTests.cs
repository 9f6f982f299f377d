using Microsoft.Extensions.Time.Testing;
using Sanmenxia.Regions;
using Xunit;

namespace Sanmenxia.UnitTests.Regions;

public sealed class MonotonicVersionTests
{
    private static readonly DateTimeOffset Start = new(2020, 2, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_first_version_is_the_clock_and_each_next_one_is_greater_even_when_the_clock_stands_still()
    {
        var clock = new FakeTimeProvider(Start);
        var version = new MonotonicVersion(clock);
        Assert.Equal(0, version.Current);
        Assert.Equal(Start.UtcTicks, version.Next());
        Assert.Equal(Start.UtcTicks + 1, version.Next()); // same instant: one more
        Assert.Equal(Start.UtcTicks + 2, version.Next());
        Assert.Equal(Start.UtcTicks + 2, version.Current);
    }

    [Fact]
    public void A_clock_that_goes_back_never_takes_the_version_back()
    {
        var clock = new SettableClock { Now = Start };
        var version = new MonotonicVersion(clock);
        var first = version.Next();
        clock.Now = Start - TimeSpan.FromHours(1); // a silo whose clock is behind, or a clock set back
        Assert.Equal(first + 1, version.Next());
        clock.Now = Start + TimeSpan.FromSeconds(1);
        Assert.Equal((Start + TimeSpan.FromSeconds(1)).UtcTicks, version.Next()); // the clock is ahead again: it wins
    }

    [Fact]
    public void A_reactivation_starts_above_every_version_of_the_previous_activation()
    {
        var clock = new FakeTimeProvider(Start);
        var before = new MonotonicVersion(clock);
        for (var i = 0; i < 1_000; i++) before.Next(); // a burst within one tick of the clock: 1,000 versions ahead of it
        clock.Advance(TimeSpan.FromMilliseconds(1)); // the new activation comes later (10,000 ticks)
        var after = new MonotonicVersion(clock);
        Assert.True(after.Next() > before.Current);
    }

    [Fact]
    public void Without_a_clock_it_follows_real_time()
    {
        var before = DateTimeOffset.UtcNow.UtcTicks;
        var version = new MonotonicVersion().Next();
        Assert.InRange(version, before, DateTimeOffset.UtcNow.UtcTicks);
    }

    /// <summary>A clock that may be set back (FakeTimeProvider refuses to).</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
