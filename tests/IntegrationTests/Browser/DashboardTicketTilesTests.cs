using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The dashboard's ticket tiles in headless Chromium: a commander watches a township; a hotline call recorded there and
/// then accepted through the API change the received and accepted tiles (today's and cumulative) by push, without a
/// reload, and the township's line in the county's table shows the open ticket. Waits are expectations, never sleeps.
/// </summary>
[Collection("browser")]
public sealed class DashboardTicketTilesTests(BrowserFixture fixture, ITestOutputHelper output)
{
    static DashboardTicketTilesTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task Dashboard_ticket_tiles_change_by_push_after_a_call_and_its_acceptance()
    {
        var village = await LastVillageAsync();
        var township = village[..9];
        var before = await SettledReceivedAsync(township);

        var username = $"commander-{Guid.NewGuid():N}"[..20];
        (await fixture.Admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest(username, "password-1234", "Test commander", "commander", "411200", null)))
            .EnsureSuccessStatusCode();
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(1440, 1000);
        await page.GotoAsync($"dashboard.html#region={township}");
        await page.GetByTestId("staff-username").FillAsync(username);
        await page.GetByTestId("staff-password").FillAsync("password-1234");
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("region-code")).ToHaveTextAsync(township);
        await Expect(page.GetByTestId("conn")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.GetByTestId("tkpi-received-total")).ToHaveAttributeAsync("data-value", before.ToString());
        await Expect(page.GetByTestId("tkpi-closingRate")).ToBeVisibleAsync();

        var response = await fixture.Admin.PostAsJsonAsync("/api/tickets", new
        {
            kind = "Report", category = "Gathering", regionCode = village, description = "村口有人聚集打牌", phone = fixture.NewPhone(),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        await Expect(page.GetByTestId("tkpi-received-total")).ToHaveAttributeAsync("data-value", (before + 1).ToString());
        var openBefore = int.Parse((await page.GetByTestId("tkpi-open-value").GetAttributeAsync("data-value"))!);
        Assert.True(openBefore >= 1);
        await Expect(page.Locator($"[data-testid=child-row][data-code='{village}'] td[data-key='tickets.received']")).Not.ToHaveTextAsync("0");

        var acceptedBefore = int.Parse((await page.GetByTestId("tkpi-accepted-total").GetAttributeAsync("data-value"))!);
        (await fixture.Admin.PostAsJsonAsync($"/api/tickets/{number}/accept", new { note = "属实" })).EnsureSuccessStatusCode();
        await Expect(page.GetByTestId("tkpi-accepted-total")).ToHaveAttributeAsync("data-value", (acceptedBefore + 1).ToString());
        await Expect(page.GetByTestId("tkpi-accepted-value")).Not.ToHaveAttributeAsync("data-value", "0");
        await Expect(page.GetByTestId("tkpi-closingRate-total")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"%$"));
        var path = fixture.ScreenshotPath("dashboard-04-tickets");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }

    /// <summary>The last village of the tree (last county, township, village): the other browser tests file elsewhere.</summary>
    private async Task<string> LastVillageAsync()
    {
        var parent = "411200";
        for (var level = 0; level < 3; level++)
        {
            var children = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/regions?parent={parent}");
            parent = children[children.GetArrayLength() - 1].GetProperty("code").GetString()!;
        }
        return parent;
    }

    /// <summary>The township's cumulative received tickets once it stays the same for a second (earlier tests' tickets may still climb).</summary>
    private async Task<int> SettledReceivedAsync(string township) =>
        await Eventually.Settles(
            async () => (await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/regions/{township}/counts"))
                .GetProperty("counts").GetProperty("tickets").GetProperty("total").GetProperty("received").GetInt32(),
            _ => true, stableFor: TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20), "the township's ticket count to settle");
}
