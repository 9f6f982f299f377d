using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The staff entry and the village console (platforms 3 and 4) in a real headless Chromium against the real
/// API: village staff sign in, see their village's counts, filter the residents by fever and open needs,
/// clear a fever after a visit and mark a need handled; another village's staff are refused; a CSV import
/// reports its bad line. Residents are set up through the API as the portal would. No sleeps: Playwright's
/// auto-waiting expectations, and API polls with a deadline.
/// </summary>
[Collection("browser")]
public sealed class VillageConsoleTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string StaffPassword = "village-pass-1234";

    static VillageConsoleTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task Village_staff_see_counts_filter_by_fever_clear_it_and_mark_an_open_need_handled()
    {
        var village = await EmptyVillageAsync();
        var staff = await NewStaffAsync("village", village);
        var medicine = await NewResidentAsync(village, "赵桂兰");
        await medicine.ApplyAsync(36.5m);
        await medicine.AddNeedAsync("Medicine", "高血压药吃完了，请帮忙代购 · out of blood-pressure pills");
        var feverish = await NewResidentAsync(village, "钱卫东");
        await feverish.ApplyAsync(36.6m);
        var clockIn = await feverish.ClockInAsync(38.2m);
        Assert.Equal("blocked.fever", clockIn.GetProperty("explanation").GetProperty("reasonCode").GetString());
        await WaitForCountsAsync(village, c => c.GetProperty("residents").GetInt32() == 2 && c.GetProperty("fever").GetInt32() == 1
                                               && c.GetProperty("openNeeds").GetInt32() == 1);

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        await SignInAsync(page, staff);

        // Village staff go straight to their own village; the cascade is not offered to them.
        await Expect(page.GetByTestId("view-village")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("village-panel")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("village-code-text")).ToHaveTextAsync(village);
        await Expect(page.GetByTestId("cascade")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("who")).ToHaveAttributeAsync("data-role", "village");

        // Headline counts.
        await Expect(page.GetByTestId("count-residents")).ToHaveAttributeAsync("data-value", "2");
        await Expect(page.GetByTestId("count-applied")).ToHaveAttributeAsync("data-value", "2");
        await Expect(page.GetByTestId("count-green")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByTestId("count-yellow")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByTestId("count-fever")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByTestId("count-openNeeds")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByTestId("count-fromWuhan")).ToHaveAttributeAsync("data-value", "0");
        await Expect(page.GetByTestId("count-fever")).ToContainTextAsync("发热");
        await Expect(page.GetByTestId("resident-row")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("residents-total")).ToHaveAttributeAsync("data-value", "2");
        await Shot(page, "village-01-counts-and-list");

        // Fever filter → only the feverish resident.
        await page.GetByTestId("filter-fever").SelectOptionAsync("true");
        await Expect(page.GetByTestId("residents-table")).ToHaveAttributeAsync("data-query", new Regex("fever=true"));
        await Expect(page.GetByTestId("resident-row")).ToHaveCountAsync(1);
        var row = page.GetByTestId("resident-row").First;
        await Expect(row.GetByTestId("row-name")).ToHaveTextAsync("钱卫东");
        await Expect(row).ToHaveAttributeAsync("data-colour", "Yellow");
        await Expect(row).ToHaveAttributeAsync("data-fever", "true");
        await Expect(row.GetByTestId("row-temperature")).ToContainTextAsync("38.2");

        // Open them: the access is audited; clearing the fever needs a note.
        await row.ClickAsync();
        var detail = page.GetByTestId("resident-detail");
        await Expect(detail).ToBeVisibleAsync();
        await Expect(page.GetByTestId("detail-name")).ToHaveTextAsync("钱卫东");
        await Expect(page.GetByTestId("detail-audited")).ToContainTextAsync("访问已记录");
        await Expect(page.GetByTestId("detail-colour")).ToHaveAttributeAsync("data-colour", "Yellow");
        await Expect(page.GetByTestId("detail-reason")).ToHaveAttributeAsync("data-code", "blocked.fever");
        await Expect(page.GetByTestId("clear-fever-form")).ToBeVisibleAsync();
        await page.GetByTestId("clear-fever-submit").ClickAsync();
        await Expect(page.GetByTestId("clear-fever-error")).ToContainTextAsync("核查说明");
        await Expect(page.GetByTestId("clear-fever-note")).ToHaveAttributeAsync("aria-invalid", "true");
        await Shot(page, "village-02-fever-resident-open");

        await page.GetByTestId("clear-fever-note").FillAsync("上门测温 36.5 °C，无症状 · visited, 36.5 °C, no symptoms");
        var cleared = page.WaitForResponseAsync(r => r.Url.EndsWith($"/residents/{feverish.ResidentKey}/clear-fever"));
        await page.GetByTestId("clear-fever-submit").ClickAsync();
        Assert.Equal(200, (await cleared).Status);
        await Expect(page.GetByTestId("detail-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(page.GetByTestId("clear-fever-form")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("detail-history").Locator("[data-cause=BlockerCleared][data-by=Staff]")).ToHaveCountAsync(1);
        // Still filtered by fever: nobody left. Without the filter their colour is green.
        await Expect(page.GetByTestId("residents-empty")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("count-fever")).ToHaveAttributeAsync("data-value", "0");
        await page.GetByTestId("filter-reset").ClickAsync();
        await Expect(page.GetByTestId("resident-row")).ToHaveCountAsync(2);
        var feverishRow = page.Locator($"[data-testid=resident-row][data-resident-key='{feverish.ResidentKey}']");
        await Expect(feverishRow).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(feverishRow.GetByTestId("row-colour")).ToContainTextAsync("绿码");
        await Expect(page.GetByTestId("count-green")).ToHaveAttributeAsync("data-value", "2");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(page, "village-03-fever-cleared-green");

        // Open needs → the resident who asked for medicine → mark handled → the list empties.
        await page.GetByTestId("filter-open-needs").SelectOptionAsync("true");
        await Expect(page.GetByTestId("resident-row")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("resident-row").First.GetByTestId("row-name")).ToHaveTextAsync("赵桂兰");
        await page.GetByTestId("resident-row").First.ClickAsync();
        await Expect(page.GetByTestId("detail-name")).ToHaveTextAsync("赵桂兰");
        var need = page.GetByTestId("need").First;
        await Expect(need).ToHaveAttributeAsync("data-status", "Open");
        await Expect(need).ToHaveAttributeAsync("data-kind", "Medicine");
        await Expect(page.GetByTestId("clear-fever-form")).ToBeHiddenAsync();
        await need.GetByTestId("need-note").FillAsync("已代购送达 · delivered");
        await Shot(page, "village-04-open-need");
        var handled = page.WaitForResponseAsync(r => r.Url.Contains($"/residents/{medicine.ResidentKey}/needs/") && r.Url.EndsWith("/handled"));
        await need.GetByTestId("need-handle").ClickAsync();
        Assert.Equal(200, (await handled).Status);
        await Expect(page.GetByTestId("residents-empty")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("resident-row")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("count-openNeeds")).ToHaveAttributeAsync("data-value", "0");
        await Expect(page.GetByTestId("need").First).ToHaveAttributeAsync("data-status", "Handled");
        await Expect(page.GetByTestId("need-handled-note").First).ToContainTextAsync("delivered");
        await Shot(page, "village-05-need-handled-list-empty");

        // The same console on a desktop screen: list and resident side by side.
        await page.SetViewportSizeAsync(1366, 900);
        await page.GetByTestId("filter-reset").ClickAsync();
        await Expect(page.GetByTestId("resident-row")).ToHaveCountAsync(2);
        await page.Locator($"[data-testid=resident-row][data-resident-key='{feverish.ResidentKey}']").ClickAsync();
        await Expect(page.GetByTestId("detail-name")).ToHaveTextAsync("钱卫东");
        await Shot(page, "village-05b-desktop");

        // The server kept an audit trail of the reads and the actions.
        using var audit = JsonDocument.Parse(await fixture.Admin.GetStringAsync($"/api/admin/audit?actor={staff.Username}&take=200"));
        var actions = audit.RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("resident.read", actions);
        Assert.Contains("resident.fever.cleared", actions);
        Assert.Contains("resident.need.handled", actions);
    }

    [Fact]
    public async Task Village_staff_typing_a_village_outside_their_jurisdiction_see_the_refusal()
    {
        var mine = await EmptyVillageAsync();
        var theirs = await EmptyVillageAsync(except: mine);
        var staff = await NewStaffAsync("village", mine);

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);

        // A wrong password is refused with the problem's detail, and the form stays.
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync("not-the-password");
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("error")).ToHaveAttributeAsync("data-status", "401");
        await Expect(page.GetByTestId("error-detail")).ToContainTextAsync("密码错误");
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();

        await SignInAsync(page, staff);
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("village-code-text")).ToHaveTextAsync(mine);

        // One village: no picker until they ask to open another.
        await Expect(page.GetByTestId("village-picker")).ToBeHiddenAsync();
        await page.GetByTestId("village-other").ClickAsync();
        await Expect(page.GetByTestId("village-code")).ToBeFocusedAsync();
        await page.GetByTestId("village-code").FillAsync(theirs);
        var refused = page.WaitForResponseAsync(r => r.Url.Contains($"/api/villages/{theirs}/"));
        await page.GetByTestId("village-open").ClickAsync();
        var refusal = await refused;
        Assert.Equal(403, refusal.Status);
        await Expect(page.GetByTestId("error")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("error")).ToHaveAttributeAsync("data-status", "403");
        // The server's title as it sent it (in the page's language, from Accept-Language), nothing joined to it.
        var title = (await refusal.JsonAsync())!.Value.GetProperty("title").GetString();
        Assert.False(string.IsNullOrEmpty(title));
        await Expect(page.GetByTestId("error-title")).ToHaveTextAsync(title!);
        await Expect(page.GetByTestId("error-detail")).ToContainTextAsync(theirs);
        await Expect(page.GetByTestId("village-panel")).ToBeHiddenAsync();
        await Shot(page, "village-06-outside-jurisdiction");

        // A malformed code is refused before any call, next to the field.
        await page.GetByTestId("village-code").FillAsync("4112");
        await page.GetByTestId("village-open").ClickAsync();
        await Expect(page.GetByTestId("error-fields")).ToContainTextAsync("12");
        await Expect(page.GetByTestId("village-code")).ToHaveAttributeAsync("aria-invalid", "true");

        // Their own village opens again.
        await page.GetByTestId("village-code").FillAsync(mine);
        await page.GetByTestId("village-open").ClickAsync();
        await Expect(page.GetByTestId("village-panel")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("count-residents")).ToHaveAttributeAsync("data-value", "0");
    }

    [Fact]
    public async Task A_county_commander_chooses_a_village_through_the_cascade_within_the_county_only()
    {
        var village = await EmptyVillageAsync();
        var county = village[..6];
        var commander = await NewStaffAsync("commander", county);

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        await SignInAsync(page, commander);

        // Commanders see the list of consoles: the village console and the command dashboard (not the admin tools).
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("console-village")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("console-dashboard")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("console-dashboard")).ToHaveAttributeAsync("href", "dashboard.html");
        await Expect(page.GetByTestId("console-orleans")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("console-docs")).ToBeHiddenAsync();
        await Shot(page, "village-07-commander-consoles");
        await page.GetByTestId("console-village").ClickAsync();

        // The county is theirs only: it is the single choice and is taken at once.
        var countySelect = page.GetByTestId("pick-county");
        await Expect(countySelect.Locator("option")).ToHaveCountAsync(2);
        await Expect(countySelect).ToHaveValueAsync(county);
        var township = page.GetByTestId("pick-township");
        await Expect(township).ToHaveAttributeAsync("data-loaded", "true");
        await township.SelectOptionAsync(village[..9]);
        var villages = page.GetByTestId("pick-village");
        await Expect(villages).ToHaveAttributeAsync("data-loaded", "true");
        await villages.SelectOptionAsync(village);
        await Expect(page.GetByTestId("village-panel")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("village-code-text")).ToHaveTextAsync(village);
        await Expect(page.GetByTestId("count-residents")).ToHaveAttributeAsync("data-value", "0");
        await Expect(page.GetByTestId("residents-empty")).ToBeVisibleAsync();
        await Shot(page, "village-08-commander-cascade");
    }

    [Fact]
    public async Task An_administrator_sees_every_console_and_the_whole_city_in_the_cascade_and_signs_out()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        await SignInAsync(page, new BrowserStaff("admin", BrowserApiFactory.AdminPassword, "411200"));

        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        foreach (var console in new[] { "console-village", "console-dashboard", "console-docs", "console-orleans" })
            await Expect(page.GetByTestId(console)).ToBeVisibleAsync();
        await Expect(page.GetByTestId("console-orleans")).ToHaveAttributeAsync("href", "/ops/orleans/");
        await Expect(page.GetByTestId("console-docs")).ToHaveAttributeAsync("href", "/docs");
        await Shot(page, "village-10-admin-consoles");

        await page.GetByTestId("console-village").ClickAsync();
        await Expect(page.GetByTestId("pick-county")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(page.GetByTestId("pick-county").Locator("option")).ToHaveCountAsync(7); // "choose" + the six counties

        // The session lives in this tab only: signing out returns to the sign-in form, and a reload stays there.
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_CSV_import_with_one_bad_row_reports_its_line_and_keeps_the_good_rows()
    {
        var village = await EmptyVillageAsync();
        var staff = await NewStaffAsync("village", village);
        var good1 = ResidentFlow.NewIdNumber();
        var good2 = ResidentFlow.NewIdNumber();
        var valid = ResidentFlow.NewIdNumber();
        var badCheck = valid[..17] + (valid[17] == '0' ? '1' : '0');
        var csv = new StringBuilder()
            .Append("household,name,id_number,phone,village_code,head\n")
            .Append($"h1,孙有田,{good1},,{village},true\n")
            .Append($"h1,孙小米,{good2},,{village},false\n")
            .Append($"h2,周大勇,{badCheck},,{village},true\n")
            .ToString();

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        await SignInAsync(page, staff);
        await Expect(page.GetByTestId("count-residents")).ToHaveAttributeAsync("data-value", "0");

        await page.GetByTestId("import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "residents.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv),
        });
        var imported = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/admin/residents/import"));
        await page.GetByTestId("import-submit").ClickAsync();
        Assert.Equal(200, (await imported).Status);

        await Expect(page.GetByTestId("import-report")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("import-rows")).ToHaveTextAsync("3");
        await Expect(page.GetByTestId("import-imported")).ToHaveTextAsync("2");
        await Expect(page.GetByTestId("import-already")).ToHaveTextAsync("0");
        await Expect(page.GetByTestId("import-error")).ToHaveCountAsync(1);
        var error = page.GetByTestId("import-error").First;
        await Expect(error).ToHaveAttributeAsync("data-line", "4");
        await Expect(error).ToHaveAttributeAsync("data-field", "id_number");
        await Expect(error.GetByTestId("import-error-line")).ToHaveTextAsync("4");
        await Expect(error.GetByTestId("import-error-reason")).ToContainTextAsync("校验位");
        // The village's counts and list were read again.
        await Expect(page.GetByTestId("count-residents")).ToHaveAttributeAsync("data-value", "2");
        await Expect(page.GetByTestId("resident-row")).ToHaveCountAsync(2);
        await page.GetByTestId("import-report").ScrollIntoViewIfNeededAsync();
        await Shot(page, "village-09-import-report");
    }

    // ---------------------------------------------------------------- helpers

    private Task<BrowserStaff> NewStaffAsync(string role, string jurisdiction) => fixture.NewStaffAsync(role, jurisdiction, StaffPassword);

    // From the end of the tree: the resident portal's tests take the first village.
    private Task<string> EmptyVillageAsync(string? except = null) => fixture.EmptyVillageAsync(fromEnd: true, except);

    private Task WaitForCountsAsync(string village, Func<JsonElement, bool> done) => fixture.WaitForVillageCountsAsync(village, done);

    /// <summary>A resident signed in by phone and registered in the village, as the portal does it.</summary>
    private async Task<Resident> NewResidentAsync(string village, string name)
    {
        var client = fixture.Factory.HttpClient();
        var phone = fixture.NewPhone();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, await fixture.ReadCodeAsync(phone)));
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var registered = await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest(name, ResidentFlow.NewIdNumber(), village, phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        return new Resident(client, body.GetProperty("profile").GetProperty("residentKey").GetString()!);
    }

    private sealed class Resident(HttpClient client, string residentKey)
    {
        public string ResidentKey { get; } = residentKey;

        public async Task ApplyAsync(decimal temperature)
        {
            var response = await client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(temperature, true));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        public async Task<JsonElement> ClockInAsync(decimal temperature)
        {
            var response = await client.PostAsJsonAsync("/api/residents/me/clock-in", new ClockInRequest(temperature, temperature >= 37.3m ? ["fever"] : []));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        public async Task AddNeedAsync(string kind, string detail)
        {
            var response = await client.PostAsJsonAsync("/api/residents/me/needs", new NeedRequest(kind, detail));
            Assert.True(response.IsSuccessStatusCode, $"need: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<IPage> OpenAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") Log($"console {message.Type}: {message.Text}");
        };
        page.PageError += (_, error) => Log($"page error: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) Log($"HTTP {response.Status} {response.Request.Method} {response.Url}");
        };
        await page.GotoAsync("/staff.html");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        return page;
    }

    private async Task SignInAsync(IPage page, BrowserStaff staff)
    {
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync(staff.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("sign-out")).ToBeVisibleAsync();
    }

    private async Task Shot(IPage page, string name)
    {
        var path = fixture.ScreenshotPath(name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Log($"screenshot {path}");
    }

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* after the test ended */ }
    }
}
