using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Villages;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The dashboard's big-screen mode (数据大屏) at 1920×1080 in headless Chromium: no vertical scroll, a clock that
/// ticks, today's figures beside the cumulative ones with the change from yesterday (checked against the counts and
/// daily rows the API answers), the heat map on its fixed scale, the mode remembered, and axe-core clean in both
/// modes. Waits are expectations or polls with a deadline, never sleeps.
/// </summary>
[Collection("browser")]
public sealed class DashboardBigScreenTests(BrowserFixture fixture, ITestOutputHelper output)
{
    static DashboardBigScreenTests() => SetDefaultExpectTimeout(15_000);

    /// <summary>The heat map's fixed bands (js/dashboard-charts.js HEAT_BANDS): upper bounds of bands 1..6.</summary>
    private static readonly double[] BandUppers = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

    [Fact]
    public async Task Big_screen_fits_1920x1080_ticks_and_shows_today_beside_cumulative()
    {
        var applied = await SettledCityAppliedAsync();
        var today = DateOnly.Parse((await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/time")).GetProperty("today").GetString()!);
        // Yesterday closed at applied − 3, the day before at applied − 5: 3 new today, 2 new yesterday, +1 against yesterday.
        var history = fixture.Factory.Services.GetRequiredService<IRegionHistory>();
        await history.WriteAsync("411200", today.AddDays(-2), new RegionCounts { Residents = applied + 10, Applied = applied - 5, Red = 4 });
        await history.WriteAsync("411200", today.AddDays(-1), new RegionCounts { Residents = applied + 10, Applied = applied - 3, Red = 7 });

        var staff = await fixture.NewStaffAsync("commander", "411200", "password-1234");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(1920, 1080);
        await page.GotoAsync("dashboard.html?screen=big");
        await SignInAsync(page, staff);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-screen", "big");
        await Expect(page.GetByTestId("region-code")).ToHaveTextAsync("411200");
        await Expect(page.GetByTestId("figures")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("map")).ToBeVisibleAsync();

        // Today, cumulative and the change from yesterday, as the API's counts and daily rows say.
        var counts = await CityCountsAsync();
        await Expect(page.GetByTestId("fig-applied-total")).ToHaveAttributeAsync("data-value", applied.ToString());
        await Expect(page.GetByTestId("fig-applied-today")).ToHaveAttributeAsync("data-value", "3");
        await Expect(page.GetByTestId("fig-applied-change")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByTestId("fig-applied-today")).ToHaveTextAsync("+3");
        var red = counts.GetProperty("red").GetInt32();
        await Expect(page.GetByTestId("fig-red-total")).ToHaveAttributeAsync("data-value", red.ToString());
        await Expect(page.GetByTestId("fig-red-today")).ToHaveAttributeAsync("data-value", (red - 7).ToString());
        await Expect(page.GetByTestId("fig-red-change")).ToHaveAttributeAsync("data-value", (red - 7 - 3).ToString());
        var received = counts.GetProperty("tickets").GetProperty("total").GetProperty("received").GetInt32();
        await Expect(page.GetByTestId("fig-ticketsReceived-total")).ToHaveAttributeAsync("data-value", received.ToString());

        // The clock shows seconds and ticks.
        var clock = page.GetByTestId("clock-time");
        await Expect(clock).ToHaveTextAsync(new Regex(@"\d{2}:\d{2}:\d{2}"));
        var first = await clock.TextContentAsync();
        await Expect(clock).Not.ToHaveTextAsync(first!, new() { Timeout = 5_000 });

        // One screen: nothing to scroll vertically at 1920×1080.
        var (scrollHeight, innerHeight) = await ScrollAsync(page);
        Assert.True(scrollHeight <= innerHeight, $"scrollHeight {scrollHeight} > viewport {innerHeight}");

        // The heat map's scale is fixed: 0 to 100 % in eight bands, each tile coloured by its own share alone.
        await AssertFixedHeatScaleAsync(page);
        await AssertAxeCleanAsync(page, "big screen");
        await Shot(page, "dashboard-06-big-screen-1920x1080", fullPage: false);

        // The mode is remembered on this device; the toggle goes back to the normal view (also axe-clean).
        await page.GotoAsync("dashboard.html");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-screen", "big");
        await Expect(page.GetByTestId("view-dashboard")).ToBeVisibleAsync();
        await page.GetByTestId("screen-toggle").ClickAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-screen", "normal");
        await Expect(page.GetByTestId("figures")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("clock")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("kpi-applied-value")).ToHaveAttributeAsync("data-value", applied.ToString());
        await AssertFixedHeatScaleAsync(page);
        await AssertAxeCleanAsync(page, "normal");
        await Shot(page, "dashboard-07-normal-1920", fullPage: true);
    }

    [Fact]
    public async Task One_staff_sign_in_reaches_the_dashboard_and_one_sign_out_ends_both()
    {
        var staff = await fixture.NewStaffAsync("commander", "411200", "password-1234");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(1440, 900);
        await page.GotoAsync("staff.html");
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync(staff.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();

        // The consoles' link opens the dashboard signed in: no second sign-in form.
        await page.GetByTestId("console-dashboard").ClickAsync();
        await page.WaitForURLAsync(new Regex("dashboard\\.html"));
        await Expect(page.GetByTestId("view-dashboard")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("region-code")).ToHaveTextAsync("411200");
        await Expect(page.GetByTestId("who")).ToContainTextAsync(staff.Username);

        // A second tab opened from this one (a wall screen) shares the session; signing out here ends it there too.
        var other = await page.RunAndWaitForPopupAsync(() => page.EvaluateAsync("() => { window.open('staff.html'); }"));
        await Expect(other.GetByTestId("view-home")).ToBeVisibleAsync();
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await Expect(other.GetByTestId("view-signin")).ToBeVisibleAsync();

        // Back on staff.html in the first tab: signed out as well.
        await page.GotoAsync("staff.html");
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("view-home")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('smx.staff.token')"));
    }

    private static async Task SignInAsync(IPage page, BrowserStaff staff)
    {
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync(staff.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-dashboard")).ToBeVisibleAsync();
    }

    private static async Task<(int ScrollHeight, int InnerHeight)> ScrollAsync(IPage page)
    {
        var size = await page.EvaluateAsync<JsonElement>("() => ({ s: document.documentElement.scrollHeight, h: window.innerHeight })");
        return (size.GetProperty("s").GetInt32(), size.GetProperty("h").GetInt32());
    }

    private static async Task AssertFixedHeatScaleAsync(IPage page)
    {
        var legend = page.GetByTestId("heat-legend");
        await Expect(legend).ToHaveAttributeAsync("data-scale", "fixed");
        await Expect(legend).ToHaveAttributeAsync("data-max", "1");
        await Expect(page.GetByTestId("heat-band")).ToHaveCountAsync(8);
        var bounds = await page.GetByTestId("heat-band").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.lower + '-' + e.dataset.upper)");
        Assert.Equal(["0-0", "0-0.01", "0.01-0.02", "0.02-0.05", "0.05-0.1", "0.1-0.2", "0.2-0.5", "0.5-1"], bounds);
        await Expect(page.GetByTestId("tile")).ToHaveCountAsync(6);
        foreach (var tile in await page.GetByTestId("tile").AllAsync())
        {
            var value = double.Parse((await tile.GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture);
            var band = value <= 0 ? 0 : 1 + BandUppers.Count(upper => value >= upper);
            Assert.Equal(band.ToString(), await tile.GetAttributeAsync("data-band"));
        }
        // On the city's map too: the same pieces, up to 100 %, whatever the largest county's share.
        if (await page.GetByTestId("map").IsVisibleAsync())
        {
            var top = await page.EvaluateAsync<double>(
                "() => { const p = echarts.getInstanceByDom(document.querySelector('[data-testid=map]')).getOption().visualMap[0].pieces; return p[p.length - 1].lte; }");
            Assert.Equal(1.0, top);
        }
    }

    private async Task AssertAxeCleanAsync(IPage page, string mode)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var v in bad)
            output.WriteLine($"{mode}: {v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => string.Join(" ", n.Target)))})");
        Assert.Empty(bad);
    }

    private async Task<JsonElement> CityCountsAsync() =>
        (await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/regions/411200/counts")).GetProperty("counts");

    private async Task<int> SettledCityAppliedAsync() =>
        (await Eventually.Settles(
            async () =>
            {
                var region = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/regions/411200/counts");
                var applied = region.GetProperty("counts").GetProperty("applied").GetInt32();
                var sum = region.GetProperty("children").EnumerateArray().Sum(c => c.GetProperty("counts").GetProperty("applied").GetInt32());
                return (Applied: applied, CountiesSum: sum);
            },
            v => v.Applied == v.CountiesSum, stableFor: TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20),
            "the city's applied count to equal the sum of its counties and settle")).Applied;

    private async Task Shot(IPage page, string name, bool fullPage)
    {
        var path = fixture.ScreenshotPath(name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        output.WriteLine($"screenshot: {path}");
    }
}
