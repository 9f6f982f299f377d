using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Identity;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The command dashboard (疫情大数据指挥平台) in headless Chromium: a commander signs in, the numbers change
/// live (SignalR push, no reload) when a resident applies through the API, drill-down and breadcrumb work,
/// and a county commander is refused another county. Waits are Playwright expectations, never sleeps.
/// </summary>
[Collection("browser")]
public sealed class DashboardPageTests(BrowserFixture fixture, ITestOutputHelper output)
{
    static DashboardPageTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task Dashboard_page_shows_live_counts_and_drills_down()
    {
        var username = await NewStaffAsync("commander", "411200");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(1440, 900);
        await SignInAsync(page, username);

        await Expect(page.GetByTestId("region-code")).ToHaveTextAsync("411200");
        await Expect(page.GetByTestId("conn")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.GetByTestId("tile")).ToHaveCountAsync(6);
        await Expect(page.GetByTestId("child-row")).ToHaveCountAsync(6);
        var before = await CityAppliedAsync();
        await Expect(page.GetByTestId("kpi-applied-value")).ToHaveAttributeAsync("data-value", before.ToString());
        await Shot(page, "dashboard-01-city");

        // A resident registers and applies through the API; the page changes without a reload.
        var village = await ApplyAsNewResidentAsync();
        await Expect(page.GetByTestId("kpi-applied-value")).ToHaveTextAsync((before + 1).ToString("N0", new System.Globalization.CultureInfo("zh-CN")));
        await Expect(page.GetByTestId("latency")).ToContainTextAsync("ms");
        await Shot(page, "dashboard-02-city-after-apply");

        // Drill down: county → township (its villages as children) → back up by the breadcrumb.
        var county = village[..6];
        await page.Locator($"[data-testid=tile][data-code='{county}']").ClickAsync();
        await Expect(page.GetByTestId("region-code")).ToHaveTextAsync(county);
        await Expect(page.GetByTestId("crumb")).ToHaveCountAsync(2);
        await page.Locator($"[data-testid=child-row][data-code='{village[..9]}'] [data-testid=child-open]").ClickAsync();
        await Expect(page.GetByTestId("region-code")).ToHaveTextAsync(village[..9]);
        await Expect(page.Locator($"[data-testid=child-row][data-code='{village}']")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("crumb")).ToHaveCountAsync(3);
        await Shot(page, "dashboard-03-township");
        await page.Locator("[data-testid=crumb][data-code='411200']").ClickAsync();
        await Expect(page.GetByTestId("region-code")).ToHaveTextAsync("411200");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Dashboard_page_shows_what_changed_while_its_connection_was_down()
    {
        // The page's SignalR connection goes through these routes: the test can drop it and keep it down.
        var down = false;
        var sockets = new List<IWebSocketRoute>();
        var username = await NewStaffAsync("commander", "411200");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.RouteAsync("**/hubs/dashboard/negotiate**", route => down ? route.AbortAsync() : route.ContinueAsync());
        await page.RouteWebSocketAsync("**/hubs/dashboard**", ws =>
        {
            if (down) { _ = ws.CloseAsync(); return; }
            ws.ConnectToServer();
            lock (sockets) sockets.Add(ws);
        });
        await SignInAsync(page, username);
        await Expect(page.GetByTestId("conn")).ToHaveAttributeAsync("data-state", "connected");
        var before = await CityAppliedAsync();
        await Expect(page.GetByTestId("kpi-applied-value")).ToHaveAttributeAsync("data-value", before.ToString());
        // One pushed update first, so the page holds a version above the snapshot's 0 (as any page that has been open a while).
        await ApplyAsNewResidentAsync();
        await Expect(page.GetByTestId("kpi-applied-value")).ToHaveAttributeAsync("data-value", (before + 1).ToString());

        // The connection drops and stays down (as while its API process restarts); a resident applies meanwhile.
        down = true;
        List<IWebSocketRoute> open;
        lock (sockets) open = [.. sockets];
        foreach (var ws in open) await ws.CloseAsync();
        await Expect(page.GetByTestId("conn")).Not.ToHaveAttributeAsync("data-state", "connected");
        await ApplyAsNewResidentAsync();
        Assert.Equal(before + 2, await CityAppliedAsync()); // settled in the cluster, pushed to nobody
        await Expect(page.GetByTestId("kpi-applied-value")).ToHaveAttributeAsync("data-value", (before + 1).ToString());

        // Back up: the page reconnects by itself, subscribes again, and shows the snapshot with the missed change.
        down = false;
        await Expect(page.GetByTestId("conn")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("kpi-applied-value")).ToHaveAttributeAsync("data-value", (before + 2).ToString());
        await Shot(page, "dashboard-05-after-reconnect");
    }

    [Fact]
    public async Task Dashboard_page_refuses_a_county_commander_another_county()
    {
        var username = await NewStaffAsync("commander", "411202");
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("dashboard.html#region=411203");
        await SignInAsync(page, username, navigate: false);

        var error = page.GetByTestId("error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToHaveAttributeAsync("data-kind", "forbidden");
        await Expect(page.GetByTestId("error-title")).ToContainTextAsync("无权查看该地区");
        await Expect(page.GetByTestId("error-detail")).ToContainTextAsync("超出您的管辖范围");
        // Its own county is shown instead, with no way up to the city.
        await Expect(page.GetByTestId("region-code")).ToHaveTextAsync("411202");
        await Expect(page.GetByTestId("crumb")).ToHaveCountAsync(1);
        await Shot(page, "dashboard-04-refused");
    }

    private async Task SignInAsync(IPage page, string username, bool navigate = true)
    {
        if (navigate) await page.GotoAsync("dashboard.html");
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("staff-username").FillAsync(username);
        await page.GetByTestId("staff-password").FillAsync("password-1234");
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-dashboard")).ToBeVisibleAsync();
    }

    private async Task<string> NewStaffAsync(string role, string jurisdiction)
    {
        var username = $"{role}-{Guid.NewGuid():N}"[..20];
        var response = await fixture.Admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, "password-1234", "Test " + role, role, jurisdiction, null));
        response.EnsureSuccessStatusCode();
        return username;
    }

    /// <summary>
    /// The city's applied count once it has settled: earlier tests' residents may still be climbing the tree, so
    /// the value must equal the sum of the counties and stay the same for a second (polled with a deadline).
    /// </summary>
    private async Task<int> CityAppliedAsync()
    {
        var settled = await Eventually.Settles(
            async () =>
            {
                var region = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/regions/411200/counts");
                var applied = region.GetProperty("counts").GetProperty("applied").GetInt32();
                var sum = region.GetProperty("children").EnumerateArray().Sum(c => c.GetProperty("counts").GetProperty("applied").GetInt32());
                return (Applied: applied, CountiesSum: sum);
            },
            v => v.Applied == v.CountiesSum, stableFor: TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20),
            "the city's applied count to equal the sum of its counties and settle");
        return settled.Applied;
    }

    /// <summary>A new resident in the first village signs in, registers and applies (36.5 °C); returns the village code.</summary>
    private async Task<string> ApplyAsNewResidentAsync()
    {
        using var client = fixture.Factory.HttpClient();
        var parent = "411200";
        for (var level = 0; level < 3; level++)
            parent = (await client.GetFromJsonAsync<JsonElement>($"/api/regions?parent={parent}"))[0].GetProperty("code").GetString()!;
        var village = parent;

        var phone = fixture.NewPhone();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, await fixture.ReadCodeAsync(phone)));
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);

        var idNumber = ResidentIdNumber.Create("411202", new DateOnly(1970, 1, 1).AddDays(Random.Shared.Next(10_000)), Random.Shared.Next(100, 999)).Value;
        var registered = await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("李指挥", idNumber, village, phone));
        registered.EnsureSuccessStatusCode();
        var token = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(36.5m, true))).EnsureSuccessStatusCode();
        return village;
    }

    private async Task Shot(IPage page, string name)
    {
        var path = fixture.ScreenshotPath(name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
