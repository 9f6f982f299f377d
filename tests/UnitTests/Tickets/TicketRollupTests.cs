using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Sanmenxia.Tickets;
using Sanmenxia.Villages;

namespace Sanmenxia.UnitTests.Tickets;

/// <summary>The ticket roll-up's pure parts: the close-time histogram and its percentiles, one ticket's contribution, sums of days.</summary>
public sealed class TicketRollupTests
{
    private static readonly DateOnly Day1 = new(2020, 2, 5);
    private static readonly DateOnly Day2 = Day1.AddDays(1);

    private static TicketSummary Summary(string number, TicketState state, DateOnly received, DateOnly? accepted = null, DateOnly? rejected = null,
        DateOnly? closed = null, double? hours = null, bool overdue = false, int escalation = 0, long version = 1) =>
        new(number, "411202001001", state, overdue, escalation, received, accepted, rejected, closed, hours, version);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0.99, 0)]
    [InlineData(1, 1)]
    [InlineData(23.5, 23)]
    [InlineData(24, 24)]
    [InlineData(25.9, 24)]
    [InlineData(26, 25)]
    [InlineData(71.9, 41)]
    [InlineData(72, 42)]
    [InlineData(335.9, 56)]
    [InlineData(336, 57)]
    [InlineData(10_000, 57)]
    [InlineData(-3, 0)]
    public void Times_fall_in_fixed_buckets_hourly_for_a_day_then_coarser(double hours, int bucket)
    {
        Assert.Equal(bucket, CloseTimeHistogram.BucketOf(hours));
        Assert.Equal(58, CloseTimeHistogram.BucketCount);
        Assert.True(hours < 0 || CloseTimeHistogram.LowerBound(bucket) <= hours);
    }

    [Fact]
    public void Percentiles_come_from_the_bucket_of_the_nearest_rank_within_its_width()
    {
        Assert.Null(CloseTimeHistogram.Empty.Percentile(0.5));
        // 1..100 hours: the true median is 50 (nearest rank), p90 is 90.
        var histogram = Enumerable.Range(1, 100).Aggregate(CloseTimeHistogram.Empty, (h, i) => h.Add(i - 0.5, 1));
        Assert.Equal(100, histogram.Count);
        var p50 = histogram.Percentile(0.5)!.Value;
        var p90 = histogram.Percentile(0.9)!.Value;
        Assert.InRange(p50, 48, 52); // the 48–52 h bucket is 4 h wide
        Assert.InRange(p90, 84, 96); // the 84–96 h bucket is 12 h wide
        Assert.True(p50 < p90);
        // A lone time reads as its bucket's midpoint; beyond two weeks as "336 h or more".
        Assert.Equal(2.5, CloseTimeHistogram.Of(2.2).Percentile(0.5));
        Assert.Equal(336, CloseTimeHistogram.Of(900).Percentile(0.9));
    }

    [Fact]
    public void Histograms_add_and_subtract_to_the_same_value_whatever_the_order_and_compare_by_content()
    {
        var a = CloseTimeHistogram.Of(3).Add(50, 1);
        var b = CloseTimeHistogram.Of(200);
        Assert.Equal(a + b, b + a);
        Assert.Equal(3, (a + b).Count);
        Assert.Equal(a, a + b + -b);
        Assert.Equal(CloseTimeHistogram.Empty, a + -a);
        Assert.Empty((a + -a).Buckets); // trailing zeros are not kept
        Assert.Equal(CloseTimeHistogram.Of(3).GetHashCode(), CloseTimeHistogram.Of(3.5).GetHashCode());
        Assert.NotEqual(CloseTimeHistogram.Of(3), CloseTimeHistogram.Of(4));
    }

    [Fact]
    public void A_ticket_contributes_its_days_figures_to_today_and_everything_to_the_total()
    {
        var closed = Summary("a", TicketState.Closed, Day1, accepted: Day1, closed: Day2, hours: 30);
        var onDay2 = closed.Contribution(Day2);
        Assert.Equal((1, 1, 0, 1, 1), (onDay2.Total.Received, onDay2.Total.Accepted, onDay2.Total.Rejected, onDay2.Total.Closed, onDay2.Total.AcceptedClosed));
        Assert.Equal((0, 0, 1, 0), (onDay2.Today.Received, onDay2.Today.Accepted, onDay2.Today.Closed, onDay2.Today.AcceptedClosed));
        Assert.Equal(1, onDay2.Today.CloseHours.Count);
        Assert.Equal((0, 0), (onDay2.Open, onDay2.Overdue));
        var onDay1 = closed.Contribution(Day1);
        Assert.Equal((1, 1, 0, 1), (onDay1.Today.Received, onDay1.Today.Accepted, onDay1.Today.Closed, onDay1.Today.AcceptedClosed));

        var overdue = Summary("b", TicketState.Received, Day1, overdue: true, escalation: 1).Contribution(Day1);
        Assert.Equal((1, 1, 1), (overdue.Open, overdue.Overdue, overdue.Escalated));
        var rejected = Summary("c", TicketState.Rejected, Day1, rejected: Day1, overdue: true, escalation: 1).Contribution(Day1);
        Assert.Equal((0, 0, 0, 1), (rejected.Open, rejected.Overdue, rejected.Escalated, rejected.Today.Rejected));
        Assert.Null(rejected.Total.ClosingRate);
    }

    [Fact]
    public void A_tally_replaces_a_tickets_contribution_and_the_closing_rate_is_closed_over_accepted()
    {
        var tally = new TicketTally();
        tally.CountAll(Day1, []);
        tally.Count(Summary("a", TicketState.Received, Day1));
        tally.Count(Summary("b", TicketState.Accepted, Day1, accepted: Day1));
        tally.Count(Summary("a", TicketState.Accepted, Day1, accepted: Day1, version: 2));
        Assert.Equal((2, 2, 0, 2), (tally.Total.Total.Received, tally.Total.Total.Accepted, tally.Total.Total.Closed, tally.Total.Open));
        tally.Count(Summary("a", TicketState.Closed, Day1, accepted: Day1, closed: Day1, hours: 5, version: 3));
        Assert.Equal((2, 1, 1), (tally.Total.Total.Received, tally.Total.Total.Closed, tally.Total.Open));
        Assert.Equal(0.5, tally.Total.Total.ClosingRate);
        Assert.Equal(5.5, tally.Total.Today.MedianHours);

        // A recount from the same summaries on the next day: the same total, nothing today.
        var again = new TicketTally();
        again.CountAll(Day2, [Summary("a", TicketState.Closed, Day1, accepted: Day1, closed: Day1, hours: 5, version: 3), Summary("b", TicketState.Accepted, Day1, accepted: Day1)]);
        Assert.Equal(tally.Total.Total, again.Total.Total);
        Assert.Equal(TicketRollupFigures.Zero, again.Total.Today);
    }

    [Fact]
    public void Sums_of_different_days_keep_the_later_days_today_and_a_stale_day_reads_as_zero_today()
    {
        var tally = new TicketTally();
        tally.CountAll(Day1, [Summary("a", TicketState.Received, Day1)]);
        var old = tally.Total;
        var fresh = Summary("b", TicketState.Received, Day2).Contribution(Day2);
        var sum = old + fresh;
        Assert.Equal((Day2, 1, 2, 2), (sum.Day, sum.Today.Received, sum.Total.Received, sum.Open));
        Assert.Equal(sum, fresh + old);
        Assert.Equal(TicketRollupFigures.Zero, old.AsOf(Day2).Today);
        Assert.Equal(old.Total, old.AsOf(Day2).Total);
        Assert.Same(old, old.AsOf(Day1));
        // Region counts carry them: a sum of regions adds the tickets too.
        var regions = new RegionCounts { Tickets = old } + new RegionCounts { Tickets = old };
        Assert.Equal(2, regions.Tickets.Total.Received);
    }

    [Fact]
    public void The_counts_round_trip_through_Orleans_and_the_daily_history_json_with_the_percentiles_in_the_json()
    {
        var tally = new TicketTally();
        tally.CountAll(Day1, [Summary("a", TicketState.Closed, Day1, accepted: Day1, closed: Day1, hours: 7.2, version: 4)]);
        var counts = new RegionCounts { Residents = 3, Tickets = tally.Total };
        var serializer = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(TicketCounts).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();
        Assert.Equal(counts, serializer.Deserialize<RegionCounts>(serializer.SerializeToArray(counts)));
        var summary = Summary("x", TicketState.Dispatched, Day1, accepted: Day1, overdue: true, escalation: 2, version: 9);
        Assert.Equal(summary, serializer.Deserialize<TicketSummary>(serializer.SerializeToArray(summary)));

        var json = JsonSerializer.Serialize(counts);
        Assert.Equal(counts, JsonSerializer.Deserialize<RegionCounts>(json));
        var web = JsonDocument.Parse(JsonSerializer.Serialize(counts, JsonSerializerOptions.Web)).RootElement.GetProperty("tickets");
        Assert.Equal(7.5, web.GetProperty("today").GetProperty("medianHours").GetDouble());
        Assert.Equal(1.0, web.GetProperty("total").GetProperty("closingRate").GetDouble());
    }
}
