using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Core.Internal;
using Sanmenxia.Api.Tickets;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Tickets;
using Sanmenxia.Villages;
using static Sanmenxia.IntegrationTests.Tickets.TicketApiFixture;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>
/// The ticket roll-up (docs/tickets.md "Roll-up"): each ticket's summary reaches its region's tally, climbs the region
/// tree with the other counts, is idempotent per version, survives the tally's and the regions' reactivation, and counts
/// an escalated ticket as overdue. Uses villages no other ticket test files into (50–55), so a village's line is exact.
/// </summary>
[Collection(TicketApiCollection.Name)]
public sealed class TicketRollupTests(TicketApiFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private IGrainFactory Grains => fixture.Factory.Services.GetRequiredService<IGrainFactory>();
    private string Village(int i) => fixture.Villages[i].Code;

    private async Task<TicketCounts> LineAsync(string village) =>
        (await Grains.GetGrain<IRegionGrain>(village[..9]).GetChildrenAsync()).Single(c => c.Code == village).Counts.Tickets;

    private async Task<TicketCounts> RegionAsync(string code) => (await Grains.GetGrain<IRegionGrain>(code).GetCountsAsync()).Tickets;

    private async Task<string> CallAsync(HttpClient hotline, string village)
    {
        var response = await hotline.PostAsJsonAsync("/api/tickets", new CallRequest("HotlineCall", "Help", null, village, "北关街 5 号", null, null,
            "老人独居，需要送药", "13912345678", "王女士", false));
        return (await JsonAsync(response, 201)).GetProperty("number").GetString()!;
    }

    private static async Task ActAsync(HttpClient client, string number, string action, object body) =>
        await JsonAsync(await client.PostAsJsonAsync($"/api/tickets/{number}/{action}", body), 200);

    [Fact]
    public async Task Counts_reach_the_village_line_the_county_and_the_city_after_create_accept_and_close()
    {
        var village = Village(50);
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var cityBefore = await RegionAsync("411200");
        var countyBefore = await RegionAsync(village[..6]);

        var number = await CallAsync(hotline, village);
        var line = await Eventually.Until(() => LineAsync(village), t => t.Total.Received == 1, Timeout, "the village's line to count the new ticket");
        Assert.Equal((0, 1, 0), (line.Total.Accepted, line.Open, line.Total.Closed));
        await Eventually.Until(() => RegionAsync("411200"), t => t.Total.Received >= cityBefore.Total.Received + 1, Timeout, "the city to count it");

        await ActAsync(hotline, number, "accept", new AcceptTicketRequest("属实"));
        line = await Eventually.Until(() => LineAsync(village), t => t.Total.Accepted == 1, Timeout, "the line to count the acceptance");
        Assert.Equal(0.0, line.Total.ClosingRate);

        await ActAsync(hotline, number, "handle", new HandleTicketRequest("已联系社区送药上门"));
        await ActAsync(hotline, number, "feedback", new FeedbackTicketRequest("Satisfied", null));
        await ActAsync(hotline, number, "close", new CloseTicketRequest(null));
        line = await Eventually.Until(() => LineAsync(village), t => t.Total.Closed == 1, Timeout, "the line to count the close");
        Assert.Equal((1, 0, 1.0), (line.Total.Received, line.Open, line.Total.ClosingRate));
        Assert.Equal(1, line.Total.CloseHours.Count);
        Assert.NotNull(line.Total.MedianHours);

        var county = await Eventually.Until(() => RegionAsync(village[..6]), t => t.Total.Closed >= countyBefore.Total.Closed + 1, Timeout, "the county to count the close");
        Assert.True(county.Total.Received >= countyBefore.Total.Received + 1);
        var city = await Eventually.Until(() => RegionAsync("411200"), t => t.Total.Closed >= cityBefore.Total.Closed + 1, Timeout, "the city to count the close");
        Assert.True(city.Total.AcceptedClosed >= cityBefore.Total.AcceptedClosed + 1);
    }

    [Fact]
    public async Task A_repeated_or_stale_report_changes_nothing_and_the_counts_survive_reactivation()
    {
        var village = Village(51);
        var tally = Grains.GetGrain<ITicketTallyGrain>(village);
        var day = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().AddHours(8).DateTime);
        TicketSummary Summary(TicketState state, long version) => new("12345-20200101-990001", village, state, false, 0, day,
            state == TicketState.Received ? null : day, null, null, null, version);

        await tally.ReportAsync(Summary(TicketState.Accepted, 2));
        await tally.ReportAsync(Summary(TicketState.Accepted, 2)); // re-delivered
        await tally.ReportAsync(Summary(TicketState.Received, 1)); // stale: arrives after the newer one
        var counts = await tally.GetCountsAsync();
        Assert.Equal((1, 1, 1), (counts.Total.Received, counts.Total.Accepted, counts.Open));
        var line = await Eventually.Until(() => LineAsync(village), t => t.Total.Received == 1, Timeout, "the township to hear from the tally");
        Assert.Equal((1, 1), (line.Total.Accepted, line.Open));

        // The tally's activation dropped: it comes back from its stored summaries with the same counts, and a replay
        // of an old report still changes nothing. (Collecting the regions too needs PostgreSQL: the memory provider's
        // JSON cannot read a region's stored info back.)
        await tally.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await tally.ReportAsync(Summary(TicketState.Received, 1));
        counts = await tally.GetCountsAsync();
        Assert.Equal((1, 1, 1), (counts.Total.Received, counts.Total.Accepted, counts.Open));
        line = await LineAsync(village);
        Assert.Equal((1, 1, 1), (line.Total.Received, line.Total.Accepted, line.Open));

        await tally.ReportAsync(Summary(TicketState.Rejected, 3) with { AcceptedOn = null, RejectedOn = day });
        line = await Eventually.Until(() => LineAsync(village), t => t.Total.Rejected == 1, Timeout, "the rejection to climb");
        Assert.Equal((1, 0, 0), (line.Total.Received, line.Total.Accepted, line.Open));
    }

    [Fact]
    public async Task A_ticket_escalated_on_the_fake_clock_counts_as_overdue_up_the_tree()
    {
        var village = Village(52);
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var number = await CallAsync(hotline, village);
        var fresh = await JsonAsync(await hotline.GetAsync($"/api/tickets/{number}"), 200);
        await Eventually.Until(() => LineAsync(village), t => t.Open == 1, Timeout, "the line to count the open ticket");
        Assert.Equal(0, (await LineAsync(village)).Overdue);

        fixture.Clock.SetUtcNow(fresh.GetProperty("dueAt").GetDateTimeOffset().AddMinutes(1));
        // Only the ticket's reminder acts now: it marks the ticket overdue, escalates it and reports the change.
        var line = await Eventually.Until(() => LineAsync(village), t => t.Overdue == 1, Timeout, "the reminder's escalation to reach the roll-up");
        Assert.Equal((1, 1), (line.Open, line.Escalated));
        var township = await Eventually.Until(() => RegionAsync(village[..9]), t => t.Overdue >= 1, Timeout, "the township to count it overdue");
        Assert.True(township.Escalated >= 1);
        await Eventually.Until(() => RegionAsync("411200"), t => t.Overdue >= 1, Timeout, "the city to count it overdue");

        await ActAsync(hotline, number, "accept", new AcceptTicketRequest(null));
        line = await Eventually.Until(() => LineAsync(village), t => t.Overdue == 0, Timeout, "the acceptance to clear the overdue count");
        Assert.Equal((1, 1), (line.Open, line.Escalated)); // the escalation stays visible
    }
}
