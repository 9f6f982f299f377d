using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>Platform 7's daily history: one row per region per day, closed with the day's last value.</summary>
[Collection("api")]
public sealed class HistoryApiTests(ApiFactory factory)
{
    [Fact]
    public async Task Villages_and_regions_keep_one_row_per_day_for_the_trend_charts()
    {
        var village = (await factory.VillagesAsync())[20].Code;
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(village);
        await r.ApplyAsync();
        var firstDay = DateOnly.FromDateTime(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var commander = await factory.NewStaffAsync("commander", "411200");

        // Today's row appears once the village has ticked, and holds the application once the village's next history
        // write has it: a row written between the registration and the application still says 0 (polled with a
        // deadline, no sleeps).
        static bool AppliedToday(JsonElement row, DateOnly day) =>
            row.GetProperty("day").GetString() == day.ToString("yyyy-MM-dd") && row.GetProperty("counts").GetProperty("applied").GetInt32() >= 1;
        var rows = await PollRows(commander, village, rows => rows.Any(x => AppliedToday(x, firstDay)));
        Assert.Equal(1, rows.Single(x => x.GetProperty("day").GetString() == firstDay.ToString("yyyy-MM-dd")).GetProperty("counts").GetProperty("applied").GetInt32());

        // Walk into the next day: the first day's row is closed and kept; the city keeps its own rows.
        var now = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        factory.Clock.SetUtcNow(new DateTimeOffset(now.Date.AddDays(1).AddHours(10), TimeSpan.FromHours(8)));
        await r.ClockInAsync();
        rows = await PollRows(commander, village, rows => rows.Count >= 1);
        Assert.Contains(rows, x => x.GetProperty("day").GetString() == firstDay.ToString("yyyy-MM-dd"));
        static int Residents(JsonElement row) => row.GetProperty("counts").GetProperty("residents").GetInt32();
        var city = await PollRows(commander, "411200", rows => rows.Any(x => Residents(x) >= 1));
        Assert.Contains(city, x => Residents(x) >= 1);
        Assert.Equal(city.Count, city.Select(x => x.GetProperty("day").GetString()).Distinct().Count()); // one row per day

        await FoundationApiTests.AssertProblem(await commander.GetAsync($"/api/regions/{village}/history?days=0"), 400);
        var outsider = await factory.NewStaffAsync("commander", "411203");
        await FoundationApiTests.AssertProblem(await outsider.GetAsync("/api/regions/411202/history"), 403);
    }

    private static Task<List<JsonElement>> PollRows(HttpClient client, string code, Func<List<JsonElement>, bool> done) =>
        Eventually.Until(
            async () => (await client.GetFromJsonAsync<JsonElement>($"/api/regions/{code}/history?days=30")).EnumerateArray().ToList(),
            done, TimeSpan.FromSeconds(20), $"the daily history of {code}");
}
