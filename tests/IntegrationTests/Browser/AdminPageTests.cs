using System.Net;
using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Issue 17, administration (admin.html) in headless Chromium on a laptop screen: an administrator creates an account with
/// its jurisdiction picked from the region tree, disables it (its sign-in is refused), enables it, resets its password
/// (the new one signs in); defines a checkpoint; and axe-core finds no serious or critical violation.
/// </summary>
[Collection("browser")]
public sealed class AdminPageTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "password-1234";

    static AdminPageTests() => SetDefaultExpectTimeout(15_000);

    private async Task<IPage> SignedInAdminPageAsync(IBrowserContext context)
    {
        var admin = await fixture.NewStaffAsync("admin", "411200", Password);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");
        await page.GotoAsync("/admin.html");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await page.GetByTestId("staff-username").FillAsync(admin.Username);
        await page.GetByTestId("staff-password").FillAsync(admin.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-main")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid='create-jurisdiction'][data-loaded='true']")).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Picks the first county and its first township in a picker; returns the township's code.</summary>
    private static async Task<string> PickTownshipAsync(IPage page, string picker)
    {
        await page.GetByTestId($"{picker}-county").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        var township = page.GetByTestId($"{picker}-township");
        await Expect(township).ToBeVisibleAsync();
        await township.SelectOptionAsync(new SelectOptionValue { Index = 1 });
        var code = await township.InputValueAsync();
        await Expect(page.GetByTestId($"{picker}-chosen")).ToHaveAttributeAsync("data-code", code);
        return code;
    }

    private static async Task SignInOnStaffPageAsync(IPage page, string username, string password)
    {
        await page.GotoAsync("/staff.html");
        await page.GetByTestId("staff-username").FillAsync(username);
        await page.GetByTestId("staff-password").FillAsync(password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
    }

    [Fact]
    public async Task An_administrator_creates_an_account_in_a_picked_region_disables_enables_and_resets_it()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await SignedInAdminPageAsync(context);
        await page.SetViewportSizeAsync(1366, 768);

        var username = $"adm-ui-{Guid.NewGuid():N}"[..18];
        await page.GetByTestId("create-username").FillAsync(username);
        await page.GetByTestId("create-name").FillAsync("界面测试");
        await page.GetByTestId("create-role").SelectOptionAsync("village");
        await page.GetByTestId("create-generate").ClickAsync();
        var initial = await page.GetByTestId("create-password").InputValueAsync();
        Assert.True(initial.Length >= 10, initial);
        var township = await PickTownshipAsync(page, "create-jurisdiction");
        await page.GetByTestId("create-submit").ClickAsync();
        await Expect(page.GetByTestId("create-form")).ToHaveAttributeAsync("data-created", username);

        // The list, narrowed to the role and the picked region, shows the account with that jurisdiction.
        await page.GetByTestId("staff-filter-role").SelectOptionAsync("village");
        await PickTownshipAsync(page, "staff-filter-region");
        await page.GetByTestId("staff-filter-apply").ClickAsync();
        var row = page.Locator($"[data-testid='staff-row'][data-username='{username}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.GetByTestId("staff-jurisdiction")).ToHaveTextAsync(township);
        await Expect(page.Locator("[data-testid='staff-row']:not([data-role='village'])")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("admin-01-staff"), FullPage = true });

        // Disabled: the holder's sign-in is refused.
        await row.GetByTestId("staff-disable").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-disabled", "true");
        var holder = await context.NewPageAsync();
        await SignInOnStaffPageAsync(holder, username, initial);
        await Expect(holder.GetByTestId("error")).ToHaveAttributeAsync("data-status", "401");

        // Enabled again, then a new password: the old one is refused, the new one signs in.
        await row.GetByTestId("staff-enable").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-disabled", "false");
        await row.GetByTestId("staff-reset").ClickAsync();
        await Expect(page.GetByTestId("reset-card")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("reset-username")).ToHaveTextAsync(username);
        await page.GetByTestId("reset-generate").ClickAsync();
        var renewed = await page.GetByTestId("reset-password").InputValueAsync();
        Assert.NotEqual(initial, renewed);
        await page.GetByTestId("reset-submit").ClickAsync();
        await Expect(page.GetByTestId("reset-form")).ToHaveAttributeAsync("data-done", username);

        using (var client = fixture.Factory.HttpClient())
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, initial))).StatusCode);
        await SignInOnStaffPageAsync(holder, username, renewed);
        await Expect(holder.GetByTestId("who")).ToBeVisibleAsync();
        await Expect(holder.GetByTestId("who-jurisdiction")).ToContainTextAsync(township);
    }

    [Fact]
    public async Task An_administrator_creates_a_checkpoint_in_a_picked_village_and_edits_it()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await SignedInAdminPageAsync(context);
        await page.SetViewportSizeAsync(1366, 768);
        await Expect(page.Locator("[data-testid='cp-region'][data-loaded='true']")).ToBeVisibleAsync();

        var township = await PickTownshipAsync(page, "cp-region");
        var villageSelect = page.GetByTestId("cp-region-village");
        await villageSelect.SelectOptionAsync(new SelectOptionValue { Index = 1 });
        var village = await villageSelect.InputValueAsync();
        Assert.StartsWith(township, village);
        var id = BrowserFixtureHelpers.NewCheckpointId(village);
        await page.GetByTestId("cp-id").FillAsync(id);
        await page.GetByTestId("cp-name").FillAsync("界面检测点");
        await page.GetByTestId("cp-yellow").SelectOptionAsync("Refuse");
        await page.GetByTestId("cp-submit").ClickAsync();
        await Expect(page.GetByTestId("cp-form")).ToHaveAttributeAsync("data-saved", id);

        var info = await fixture.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/checkpoints/{id}");
        var checkpoint = info.GetProperty("checkpoint");
        Assert.Equal(village, checkpoint.GetProperty("regionCode").GetString());
        Assert.Equal("Refuse", checkpoint.GetProperty("policy").GetProperty("yellow").GetString());

        // Listed under its region; edited from the list.
        await PickTownshipAsync(page, "cp-filter-region");
        await page.GetByTestId("cp-filter-apply").ClickAsync();
        var row = page.Locator($"[data-testid='cp-row'][data-id='{id}']");
        await Expect(row).ToBeVisibleAsync();
        await row.GetByTestId("cp-edit").ClickAsync();
        await Expect(page.GetByTestId("cp-id")).ToHaveValueAsync(id);
        await Expect(page.GetByTestId("cp-region-chosen")).ToHaveAttributeAsync("data-code", village);
        await page.GetByTestId("cp-name").FillAsync("界面检测点（改）");
        await page.GetByTestId("cp-submit").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-name", "界面检测点（改）");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("admin-02-checkpoints"), FullPage = true });
    }

    [Fact]
    public async Task Imports_report_the_rows_loaded_and_each_rejected_line_and_the_region_tree_opens_level_by_level()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await SignedInAdminPageAsync(context);
        await page.SetViewportSizeAsync(1366, 768);
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var id = BrowserFixtureHelpers.NewCheckpointId(village);

        // Checkpoints: one good line, one in a region that does not exist.
        var csv = $"id,name,region_code\n{id},导入检测点,{village}\ncp-411202999999-0001,不存在,411202999999\n";
        await page.GetByTestId("cp-file").SetInputFilesAsync(new FilePayload
        {
            Name = "checkpoints.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(csv),
        });
        await page.GetByTestId("cp-import-submit").ClickAsync();
        var report = page.GetByTestId("cp-import-report");
        await Expect(report).ToBeVisibleAsync();
        await Expect(report.GetByTestId("report-rows")).ToHaveTextAsync("2");
        await Expect(report.GetByTestId("report-created")).ToHaveTextAsync("1");
        await Expect(report.GetByTestId("report-errors")).ToHaveTextAsync("1");
        await Expect(report.Locator("[data-testid='report-error'][data-line='3']")).ToContainTextAsync("411202999999");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.GetAsync($"/api/checkpoints/{id}")).StatusCode);

        // Regions: nothing outside the city and no row without a name is loaded; each is reported on its line.
        await page.GetByTestId("rg-file").SetInputFilesAsync(new FilePayload
        {
            Name = "regions.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes("code,name\n410100,郑州市\n411202,\n"),
        });
        await page.GetByTestId("rg-import-submit").ClickAsync();
        var regions = page.GetByTestId("rg-import-report");
        await Expect(regions.GetByTestId("report-loaded")).ToHaveTextAsync("0");
        await Expect(regions.GetByTestId("report-errors")).ToHaveTextAsync("2");
        await Expect(regions.Locator("[data-testid='report-error'][data-line='2']")).ToBeVisibleAsync();
        await Expect(regions.Locator("[data-testid='report-error'][data-line='3']")).ToBeVisibleAsync();

        // The tree: the city is open at its counties; a county opens to its townships, a township to its villages.
        var county = page.Locator("[data-testid='region-node'][data-level='County']").First;
        await county.GetByTestId("region-toggle").ClickAsync();
        var township = county.Locator("[data-testid='region-node'][data-level='Township']").First;
        await Expect(township).ToBeVisibleAsync();
        await township.GetByTestId("region-toggle").ClickAsync();
        await Expect(township.Locator("[data-testid='region-node'][data-level='Village']").First).ToBeVisibleAsync();
        await Expect(county.GetByTestId("region-toggle").First).ToHaveAttributeAsync("aria-expanded", "true");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("admin-03-imports-and-tree"), FullPage = true });
    }

    [Fact]
    public async Task The_administration_page_has_no_serious_or_critical_accessibility_violations()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await SignedInAdminPageAsync(context);
        await page.SetViewportSizeAsync(1366, 768);
        // The region tree open one level further, the reset card shown: as a user sees the page mid-task.
        await page.GetByTestId("region-toggle").Nth(1).ClickAsync();
        await Expect(page.Locator("[data-testid='region-node'][data-level='Township']").First).ToBeVisibleAsync();
        await page.GetByTestId("staff-reset").First.ClickAsync();

        var results = await page.RunAxe();
        var bad = results.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        Assert.True(bad.Count == 0, "axe-core: " + string.Join("; ", bad));
    }
}
