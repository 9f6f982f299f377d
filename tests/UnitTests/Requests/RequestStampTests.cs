using Sanmenxia.Requests;

namespace Sanmenxia.UnitTests.Requests;

public sealed class RequestStampTests
{
    private static readonly DateTimeOffset T0 = new(2020, 2, 1, 1, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("a")]
    [InlineData("0f8fad5bd9cb469fa16570867728950e")]
    [InlineData("Action_1-retry")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 64
    public void Keys_of_1_to_64_safe_characters_are_accepted(string key) => Assert.Null(RequestStamp.KeyError(key));

    [Theory]
    [InlineData(null, "1 to 64")]
    [InlineData("", "1 to 64")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "at most 64")] // 65
    [InlineData("has space", "only letters")]
    [InlineData("点击", "only letters")]
    [InlineData("a/b", "only letters")]
    public void Other_keys_are_refused_with_the_reason(string? key, string reason) => Assert.Contains(reason, RequestStamp.KeyError(key));

    [Fact]
    public void A_stamp_expires_only_after_its_deadline()
    {
        var stamp = new RequestStamp("k", T0, T0.AddSeconds(10));
        Assert.False(stamp.IsExpired(T0.AddSeconds(10)));
        Assert.True(stamp.IsExpired(T0.AddSeconds(10.001)));
    }
}

public sealed class RecentRequestsTests
{
    private static readonly DateTimeOffset T0 = new(2020, 2, 1, 1, 0, 0, TimeSpan.Zero);
    private static RecentRequests Over(List<RememberedRequest> entries, int capacity = 3) => new(entries, TimeSpan.FromHours(24), capacity);

    [Fact]
    public void A_remembered_key_is_found_for_its_operation_only()
    {
        var entries = new List<RememberedRequest>();
        Over(entries).Remember("k1", "need", T0, "n1");

        Assert.Equal("n1", Over(entries).Find("k1", "need", T0.AddMinutes(5))?.ResultId);
        Assert.Null(Over(entries).Find("k1", "clock-in", T0)); // a key reused for another action is not its retry
        Assert.Null(Over(entries).Find("k2", "need", T0));
        Assert.Null(Over(entries).Find(null, "need", T0));
    }

    [Fact]
    public void Keys_are_forgotten_after_the_window_and_beyond_the_capacity()
    {
        var entries = new List<RememberedRequest>();
        Over(entries).Remember("old", "need", T0);
        Assert.Null(Over(entries).Find("old", "need", T0.AddHours(24.01)));

        Over(entries).Remember("a", "need", T0.AddHours(25)); // forgets "old" (out of the window)
        Over(entries).Remember("b", "need", T0.AddHours(25));
        Over(entries).Remember("c", "need", T0.AddHours(25));
        Over(entries).Remember("d", "need", T0.AddHours(25)); // the ring holds 3: "a" goes
        Assert.Equal(["b", "c", "d"], entries.Select(e => e.Key));
    }

    [Fact]
    public void A_request_without_a_key_is_not_remembered()
    {
        var entries = new List<RememberedRequest>();
        Over(entries).Remember(null, "need", T0);
        Assert.Empty(entries);
    }
}
