using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Identity;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Platform 2 (同行查询) in a real headless Chromium against the real API: the anonymous co-traveler check on
/// the resident portal, the commanders' publication page (publish, CSV import, withdraw), and a signed-in
/// resident's saved trip with the match banner. Waits are Playwright's auto-waiting expectations, never sleeps.
/// </summary>
[Collection("browser")]
public sealed class TripPagesTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string StaffPassword = "password-1234";
    private static int _train = Random.Shared.Next(1000, 8000);

    static TripPagesTests() => SetDefaultExpectTimeout(15_000);

    private DateOnly Today => DateOnly.FromDateTime(fixture.Factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
    private static string NewTrain() => "G" + Interlocked.Increment(ref _train);
    private static string TripKey(string train, DateOnly date) => $"train:{train}:{date:yyyyMMdd}";

    [Fact]
    public async Task Anonymous_check_shows_no_case_then_a_commander_publishes_and_the_check_shows_nearby_seats()
    {
        var train = NewTrain();
        var date = Today.AddDays(-3);

        // Anyone, not signed in: the entry on the sign-in screen opens the check.
        await using var anonymousContext = await fixture.NewContextAsync();
        var anonymous = await OpenAsync(anonymousContext, "/");
        await Expect(anonymous.GetByTestId("view-signin")).ToBeVisibleAsync();
        await Expect(anonymous.GetByTestId("open-trip-query")).ToContainTextAsync("同行查询");
        await Shot(anonymous, "trips-00-signin-entry");
        await anonymous.GetByTestId("open-trip-query").ClickAsync();
        await Expect(anonymous.GetByTestId("view-query")).ToBeVisibleAsync();
        await Expect(anonymous.GetByTestId("view-signin")).ToBeHiddenAsync();

        await FillQueryAsync(anonymous, train.ToLowerInvariant(), date, carriage: 3, row: 12);
        await anonymous.GetByTestId("trip-query-submit").ClickAsync();
        var result = anonymous.GetByTestId("trip-result");
        await Expect(result).ToBeVisibleAsync();
        await Expect(result).ToHaveAttributeAsync("data-matched", "false");
        await Expect(result).ToHaveAttributeAsync("data-risk", "None");
        await Expect(anonymous.GetByTestId("trip-result-headline")).ToContainTextAsync("暂未发现确诊病例同行");
        await Expect(anonymous.GetByTestId("trip-advice")).ToHaveAttributeAsync("data-code", "none");
        await Expect(anonymous.GetByTestId("trip-case")).ToHaveCountAsync(0);
        await Expect(anonymous.GetByTestId("trip-save")).ToBeHiddenAsync();
        await Shot(anonymous, "trips-01-anonymous-no-case");

        // A commander signs in on staff.html, follows the console link and publishes the case.
        var commander = await NewStaffAsync("commander", "411200");
        await using var staffContext = await fixture.NewContextAsync();
        var staff = await OpenAsync(staffContext, "/staff.html");
        await StaffSignInAsync(staff, commander);
        await Expect(staff.GetByTestId("console-trips")).ToBeVisibleAsync();
        await staff.GetByTestId("console-trips").ClickAsync();
        await Expect(staff).ToHaveURLAsync(new Regex("trips\\.html"));
        await Expect(staff.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(staff.GetByTestId("view-main")).ToBeVisibleAsync(); // the session from staff.html, no second sign-in

        await staff.GetByTestId("publish-mode").SelectOptionAsync("Train");
        await staff.GetByTestId("publish-number").FillAsync(train);
        await staff.GetByTestId("publish-date").FillAsync(date.ToString("yyyy-MM-dd"));
        await staff.GetByTestId("publish-carriage").FillAsync("3");
        await staff.GetByTestId("publish-row").FillAsync("10");
        await staff.GetByTestId("publish-from").FillAsync("武汉");
        await staff.GetByTestId("publish-to").FillAsync("三门峡南");
        await staff.GetByTestId("publish-source").FillAsync("三门峡市卫健委通报");
        var published = staff.WaitForResponseAsync(r => r.Url.EndsWith("/api/trips/cases") && r.Request.Method == "POST");
        await staff.GetByTestId("publish-submit").ClickAsync();
        Assert.Equal(201, (await published).Status);
        var trip = staff.Locator($"[data-testid=published-trip][data-trip='{TripKey(train, date)}']");
        await Expect(trip).ToBeVisibleAsync();
        await Expect(trip.GetByTestId("published-case")).ToHaveCountAsync(1);
        await Expect(trip.GetByTestId("published-case")).ToContainTextAsync("武汉 → 三门峡南");
        await Expect(staff.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(staff, "trips-02-commander-published");

        // A list imports from CSV: the good line is published, the bad one reported by line and field.
        var imported = NewTrain();
        var csv = $"date,mode,number,carriage,row,seat,from,to,source\n{date:yyyy-MM-dd},Train,{imported},2,,,汉口,三门峡南,湖北省卫健委\n{date:yyyy-MM-dd},Rocket,X1,,,,,,bad\n";
        await staff.GetByTestId("import-file").SetInputFilesAsync(new FilePayload { Name = "cases.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await staff.GetByTestId("import-submit").ClickAsync();
        var report = staff.GetByTestId("import-report");
        await Expect(report).ToBeVisibleAsync();
        await Expect(report).ToHaveAttributeAsync("data-rows", "2");
        await Expect(report).ToHaveAttributeAsync("data-published", "1");
        var line = staff.GetByTestId("import-error");
        await Expect(line).ToHaveCountAsync(1);
        await Expect(line).ToHaveAttributeAsync("data-line", "3");
        await Expect(line).ToHaveAttributeAsync("data-field", "mode");
        await Expect(staff.Locator($"[data-testid=published-trip][data-trip='{TripKey(imported, date)}']")).ToBeVisibleAsync();
        await report.ScrollIntoViewIfNeededAsync();
        await Shot(staff, "trips-03-import-report");

        // The same anonymous check now matches: two rows from the case in the same carriage → nearby seats.
        await anonymous.GetByTestId("trip-query-submit").ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-matched", "true");
        await Expect(result).ToHaveAttributeAsync("data-risk", "NearbySeats");
        await Expect(anonymous.GetByTestId("trip-risk")).ToContainTextAsync("近座");
        await Expect(anonymous.GetByTestId("trip-result-headline")).ToContainTextAsync("发现确诊病例同行");
        await Expect(anonymous.GetByTestId("trip-case")).ToHaveCountAsync(1);
        await Expect(anonymous.GetByTestId("trip-case")).ToHaveAttributeAsync("data-carriage", "3");
        await Expect(anonymous.GetByTestId("trip-case")).ToContainTextAsync("武汉 → 三门峡南");
        await Expect(anonymous.GetByTestId("trip-case")).ToContainTextAsync("三门峡市卫健委通报");
        await Expect(anonymous.GetByTestId("trip-advice")).ToHaveAttributeAsync("data-code", "register-and-isolate");
        await Expect(anonymous.GetByTestId("trip-advice")).ToContainTextAsync("居家隔离");
        await Expect(anonymous.GetByTestId("trip-advice")).Not.ToContainTextAsync("isolate at home");
        await Expect(anonymous.GetByTestId("trip-save")).ToBeHiddenAsync(); // not signed in: a hint instead
        await Expect(anonymous.GetByTestId("trip-signin-hint")).ToBeVisibleAsync();
        await Shot(anonymous, "trips-04-anonymous-matched-nearby");

        // Another carriage of the same train: only "same trip".
        await anonymous.GetByTestId("trip-carriage").FillAsync("8");
        await anonymous.GetByTestId("trip-query-submit").ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-risk", "SameTrip");
        await Expect(anonymous.GetByTestId("trip-advice")).ToHaveAttributeAsync("data-code", "register-and-watch");
    }

    [Fact]
    public async Task A_resident_saves_a_matched_trip_sees_the_banner_and_a_withdrawal_clears_it()
    {
        var train = NewTrain();
        var date = Today.AddDays(-2);
        var commander = await NewStaffAsync("commander", "411200");
        using (var api = await StaffClientAsync(commander))
        {
            var response = await api.PostAsJsonAsync("/api/trips/cases",
                new PublishCaseRequest("Train", train, date, 5, 9, null, "郑州东", "三门峡南", "河南省卫健委通报"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        // A resident signs in and registers, then checks the trip from the home tab and saves it.
        await using var residentContext = await fixture.NewContextAsync();
        var page = await OpenAsync(residentContext, "/");
        await ResidentSignInAndRegisterAsync(page);
        await Expect(page.GetByTestId("trip-banner")).ToBeHiddenAsync();
        await page.GetByTestId("tab-trips").ClickAsync();
        await Expect(page.GetByTestId("panel-trips")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("panel-trips").GetByTestId("trip-query")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("my-trips")).ToContainTextAsync("暂无登记的行程");

        await FillQueryAsync(page, train, date, carriage: 5, row: 7);
        await page.GetByTestId("trip-query-submit").ClickAsync();
        await Expect(page.GetByTestId("trip-result")).ToHaveAttributeAsync("data-matched", "true");
        await Expect(page.GetByTestId("trip-result")).ToHaveAttributeAsync("data-risk", "NearbySeats");
        await Expect(page.GetByTestId("trip-signin-hint")).ToBeHiddenAsync();
        var save = page.GetByTestId("trip-save");
        await Expect(save).ToBeVisibleAsync();
        await Expect(save).ToContainTextAsync("登记到我的行程");
        var saved = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/residents/me/trips") && r.Request.Method == "POST");
        await save.ClickAsync();
        Assert.Equal(201, (await saved).Status);

        var banner = page.GetByTestId("trip-banner");
        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner).ToHaveAttributeAsync("data-risk", "NearbySeats");
        await Expect(page.GetByTestId("trip-banner-text")).ToContainTextAsync($"您乘坐的 {train} 次列车");
        await Expect(page.GetByTestId("trip-banner-text")).ToContainTextAsync("有确诊病例同行");
        await Expect(page.GetByTestId("trip-banner-todo")).ToContainTextAsync("联系所在村（社区）");
        await Expect(page.GetByTestId("trip-banner-todo")).Not.ToContainTextAsync("self-isolate");
        var match = page.GetByTestId("trip-match");
        await Expect(match).ToHaveCountAsync(1);
        await Expect(match).ToHaveAttributeAsync("data-withdrawn", "false");
        await Expect(match).ToHaveAttributeAsync("data-risk", "NearbySeats");
        await Expect(page.GetByTestId("my-trip")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("my-trip-watched")).ToContainTextAsync(date.AddDays(14).ToString("yyyy-MM-dd"));
        await Shot(page, "trips-05-resident-saved-banner");

        // The banner comes from the overview: it is there after a reload, on the health-code tab.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        await Expect(banner).ToBeVisibleAsync();
        await Expect(page.GetByTestId("panel-code")).ToBeVisibleAsync();
        await Shot(page, "trips-06-home-banner");

        // The commander withdraws the publication on trips.html (its own sign-in form); a reason is required.
        await using var staffContext = await fixture.NewContextAsync();
        var staff = await OpenAsync(staffContext, "/trips.html");
        await Expect(staff.GetByTestId("view-signin")).ToBeVisibleAsync();
        await staff.GetByTestId("staff-username").FillAsync(commander.Username);
        await staff.GetByTestId("staff-password").FillAsync(commander.Password);
        await staff.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(staff.GetByTestId("view-main")).ToBeVisibleAsync();
        var trip = staff.Locator($"[data-testid=published-trip][data-trip='{TripKey(train, date)}']");
        await Expect(trip.GetByTestId("published-case")).ToHaveCountAsync(1);
        await trip.GetByTestId("case-withdraw").ClickAsync();
        var form = trip.GetByTestId("withdraw-form");
        await Expect(form).ToBeVisibleAsync();
        await form.GetByTestId("withdraw-confirm").ClickAsync();
        await Expect(form.GetByTestId("withdraw-error-reason")).ToContainTextAsync("撤回原因");
        await form.GetByTestId("withdraw-reason").FillAsync("车次录入错误 · wrong train number in the bulletin");
        var withdrawn = staff.WaitForResponseAsync(r => r.Url.Contains("/withdraw") && r.Request.Method == "POST");
        await form.GetByTestId("withdraw-confirm").ClickAsync();
        Assert.Equal(204, (await withdrawn).Status);
        await Expect(trip.GetByTestId("published-case")).ToHaveCountAsync(0);
        await Expect(trip).ToContainTextAsync("均已撤回");
        await Shot(staff, "trips-07-commander-withdrawn");

        // After a reload the resident's banner is gone and the match is marked withdrawn.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        await Expect(banner).ToHaveAttributeAsync("data-withdrawn", "1");
        await Expect(banner).ToHaveAttributeAsync("data-count", "0");
        await Expect(banner).ToBeHiddenAsync();
        await page.GetByTestId("tab-trips").ClickAsync();
        await Expect(match).ToHaveAttributeAsync("data-withdrawn", "true");
        await Expect(match.GetByTestId("trip-match-withdrawn")).ToContainTextAsync("已撤回");
        await Shot(page, "trips-08-resident-withdrawn");
    }

    [Fact]
    public async Task A_malformed_train_number_shows_the_field_error_and_a_rate_limit_says_when_to_retry()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context, "/#query"); // a direct link opens the check without sign-in
        await Expect(page.GetByTestId("view-query")).ToBeVisibleAsync();

        await FillQueryAsync(page, "GG12345", Today.AddDays(-1), carriage: null, row: null);
        var response = page.WaitForResponseAsync(r => r.Url.Contains("/api/trips/query"));
        await page.GetByTestId("trip-query-submit").ClickAsync();
        Assert.Equal(400, (await response).Status);
        await Expect(page.GetByTestId("error")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("trip-error-number")).ToContainTextAsync("不是火车车次");
        await Expect(page.GetByTestId("trip-number")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByTestId("error-fields")).ToContainTextAsync("车次");
        await Expect(page.GetByTestId("trip-result")).ToBeHiddenAsync();
        await Shot(page, "trips-09-bad-number");

        // 429 (simulated in the browser, so the shared per-address allowance is not spent): the wait is shown.
        await page.RouteAsync("**/api/trips/query**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 429,
            ContentType = "application/problem+json",
            Headers = new Dictionary<string, string> { ["Retry-After"] = "42" },
            // As the server answers a page speaking Chinese (Accept-Language: zh-CN): the page shows its title as it is.
            Body = """{"status":429,"title":"查询过于频繁","detail":"Too many trip queries from this address; wait a minute."}""",
        }));
        await page.GetByTestId("trip-number").FillAsync("G12");
        await page.GetByTestId("trip-query-submit").ClickAsync();
        await Expect(page.GetByTestId("error")).ToHaveAttributeAsync("data-status", "429");
        await Expect(page.GetByTestId("error-title")).ToHaveTextAsync("查询过于频繁");
        var limited = page.GetByTestId("trip-rate-limited");
        await Expect(limited).ToBeVisibleAsync();
        await Expect(limited).ToHaveAttributeAsync("data-retry-after", "42");
        await Expect(limited).ToContainTextAsync("秒后可再次查询");
        await Expect(page.GetByTestId("trip-query-submit")).ToBeDisabledAsync();
        await Shot(page, "trips-10-rate-limited");
    }

    // ---------------------------------------------------------------- helpers

    private sealed record Staff(string Username, string Password);

    private async Task<Staff> NewStaffAsync(string role, string jurisdiction)
    {
        var username = $"{role}-{Guid.NewGuid():N}"[..20];
        var response = await fixture.Admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, StaffPassword, $"测试 {role}", role, jurisdiction, null));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return new Staff(username, StaffPassword);
    }

    private async Task<HttpClient> StaffClientAsync(Staff staff)
    {
        var client = fixture.Factory.HttpClient();
        var response = await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(staff.Username, staff.Password));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }

    private static async Task FillQueryAsync(IPage page, string number, DateOnly date, int? carriage, int? row)
    {
        await page.GetByTestId("trip-mode").SelectOptionAsync("Train");
        await page.GetByTestId("trip-number").FillAsync(number);
        await page.GetByTestId("trip-date").FillAsync(date.ToString("yyyy-MM-dd"));
        await page.GetByTestId("trip-carriage").FillAsync(carriage?.ToString() ?? "");
        await page.GetByTestId("trip-row").FillAsync(row?.ToString() ?? "");
    }

    private async Task ResidentSignInAndRegisterAsync(IPage page)
    {
        var phone = fixture.NewPhone();
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("phone").FillAsync(phone);
        await page.GetByTestId("send-code").ClickAsync();
        await Expect(page.GetByTestId("code-sent")).ToContainTextAsync("****");
        await page.GetByTestId("code").FillAsync(await fixture.ReadCodeAsync(phone));
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-register")).ToBeVisibleAsync();
        var idNumber = ResidentIdNumber.Create("411202", new DateOnly(1986, 3, 14), 100 + Random.Shared.Next(0, 400) * 2 + 1).Value;
        await page.GetByTestId("reg-name").FillAsync("赵同行");
        await page.GetByTestId("reg-id-number").FillAsync(idNumber);
        foreach (var level in new[] { "reg-county", "reg-township", "reg-village" })
        {
            var select = page.GetByTestId(level);
            await Expect(select).ToHaveAttributeAsync("data-loaded", "true");
            await Expect(select.Locator("option").Nth(1)).ToBeAttachedAsync();
            await select.SelectOptionAsync(new SelectOptionValue { Index = 1 });
        }
        await page.GetByTestId("reg-submit").ClickAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("profile-name")).ToHaveTextAsync("赵同行");
    }

    private async Task StaffSignInAsync(IPage page, Staff staff)
    {
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync(staff.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeHiddenAsync();
    }

    private async Task<IPage> OpenAsync(IBrowserContext context, string path)
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
        await page.GotoAsync(path);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        return page;
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
