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

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The village's daily work on screen (issue 15): the key-person register in the village console — a co-traveler
/// match confirmed (the resident's code turns red) and another dismissed, a returnee registered, a day's follow-up on
/// the fake clock with the overdue entry first, an early release, the register and the list exported as formula-safe
/// CSV — and finding a resident by the last digits of their phone, with the household shown as its members. Real
/// headless Chromium against the real API; no sleeps.
/// </summary>
[Collection("browser")]
public sealed class KeyPersonRegisterConsoleTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string StaffPassword = "village-pass-1234";
    private static int _train = 7100;

    static KeyPersonRegisterConsoleTests() => SetDefaultExpectTimeout(15_000);

    private DateOnly Today => DateOnly.FromDateTime(fixture.Factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    [Fact]
    public async Task A_village_worker_confirms_and_dismisses_matches_registers_a_returnee_follows_up_and_exports_the_register()
    {
        var village = await EmptyVillageAsync();
        var staff = await NewStaffAsync("village", village);
        var contact = await NewResidentAsync(village, "周同行");
        var cleared = await NewResidentAsync(village, "吴车厢");
        var returnee = await NewResidentAsync(village, "孙返乡");
        foreach (var r in new[] { contact, cleared, returnee }) await r.ApplyAsync(36.5m);

        // Both co-travelers saved the same train; a published case on it flags them as pending close contacts.
        var train = "G" + Interlocked.Increment(ref _train);
        var tripDate = Today.AddDays(-2);
        await contact.SaveTripAsync(train, tripDate, 3, 7);
        await cleared.SaveTripAsync(train, tripDate, 9, 2);
        var published = await fixture.Admin.PostAsJsonAsync("/api/trips/cases",
            new PublishCaseRequest("Train", train, tripDate, 3, 8, null, "武汉", "三门峡南", "三门峡市卫健委通报"));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        await WaitForCountsAsync(village, c => c.GetProperty("keyPersonDetail").GetProperty("pendingConfirmation").GetInt32() == 2);

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        await SignInAsync(page, staff);
        await Expect(page.GetByTestId("village-panel")).ToBeVisibleAsync();
        await page.GetByTestId("tab-register").ClickAsync();
        await Expect(page.GetByTestId("register-pane")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(page.GetByTestId("tab-register")).ToHaveAttributeAsync("aria-current", "page");

        // The queue: both pending, with their reason; the close-contact tab counts them.
        var pending = page.GetByTestId("pending-entry");
        await Expect(pending).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("kp-tab-CloseContact")).ToHaveAttributeAsync("data-count", "2");
        var contactEntry = page.Locator($"[data-testid=pending-entry][data-resident-key='{contact.ResidentKey}']");
        await Expect(contactEntry.GetByTestId("entry-reason")).ToContainTextAsync("co-traveler");
        await Expect(contactEntry.GetByTestId("entry-reason")).ToContainTextAsync(train);
        // A possible exposure awaiting the village's check is yellow (issue 15 item 2; it was green while pending), with
        // the deadline by which the village must decide, not yet overdue.
        await Expect(contactEntry.GetByTestId("entry-colour")).ToHaveAttributeAsync("data-colour", "Yellow");
        await Expect(contactEntry.GetByTestId("entry-decide-by")).Not.ToBeEmptyAsync();
        await Expect(contactEntry).ToHaveAttributeAsync("data-overdue", "false");
        await Expect(contactEntry.GetByTestId("entry-overdue")).ToHaveCountAsync(0);
        await ShotBoth(page, "register-01-pending-queue", "pending-section");

        // Confirm without a measure: refused next to the field, in Chinese first. Then home isolation → red.
        await contactEntry.GetByTestId("confirm-submit").ClickAsync();
        await Expect(contactEntry.Locator(".field-error[data-field=measure]")).Not.ToBeEmptyAsync();
        await Expect(contactEntry.GetByTestId("confirm-measure")).ToHaveAttributeAsync("aria-invalid", "true");
        await contactEntry.GetByTestId("confirm-measure").SelectOptionAsync("HomeIsolation");
        await contactEntry.GetByTestId("confirm-submit").ClickAsync();
        var confirmed = page.Locator($"[data-testid=followup-item][data-resident-key='{contact.ResidentKey}']");
        await Expect(confirmed).ToHaveAttributeAsync("data-status", "Open");
        await Expect(confirmed.GetByTestId("entry-colour")).ToHaveAttributeAsync("data-colour", "Red");
        await Expect(confirmed).ToBeFocusedAsync();
        await Expect(page.GetByTestId("notice")).ToContainTextAsync("已确认");

        // Dismiss the other: the reason is required.
        var clearedEntry = page.Locator($"[data-testid=pending-entry][data-resident-key='{cleared.ResidentKey}']");
        await clearedEntry.GetByTestId("dismiss-submit").ClickAsync();
        await Expect(clearedEntry.Locator(".field-error[data-field=reason]")).ToContainTextAsync("请填写原因");
        await clearedEntry.GetByTestId("dismiss-reason").FillAsync("第 9 车厢，与病例不同车厢且无接触 · carriage 9, no contact");
        await clearedEntry.GetByTestId("dismiss-submit").ClickAsync();
        await Expect(page.GetByTestId("pending-entry")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("closed-count")).ToHaveTextAsync("1");
        var dismissed = page.Locator($"[data-testid=closed-entry][data-resident-key='{cleared.ResidentKey}']");
        await Expect(dismissed).ToHaveAttributeAsync("data-status", "Dismissed");
        await Expect(dismissed.GetByTestId("entry-colour")).ToHaveAttributeAsync("data-colour", "Green");

        // Register a returnee, by keyboard: search, choose, fill in. A missing category is refused first.
        await page.GetByTestId("kp-resident-query").FillAsync("孙返乡");
        await page.GetByTestId("kp-resident-query").PressAsync("Enter");
        await Expect(page.GetByTestId("kp-candidate")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("kp-candidate")).ToBeCheckedAsync();
        await Expect(page.GetByTestId("kp-candidate")).ToBeFocusedAsync();
        await page.GetByTestId("kp-measure").SelectOptionAsync("HomeIsolation");
        await page.GetByTestId("kp-origin").FillAsync("@广州南站 · from Guangzhou");
        await page.GetByTestId("kp-submit").ClickAsync();
        await Expect(page.GetByTestId("kp-form").Locator(".field-error[data-field=category]")).ToContainTextAsync("FromOutsideCity");
        await Expect(page.GetByTestId("kp-category")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByTestId("error-fields")).ToContainTextAsync("类别");
        await page.GetByTestId("kp-category").SelectOptionAsync("FromOutsideCity");
        await Expect(page.GetByTestId("kp-exposure")).ToHaveValueAsync(Today.ToString("yyyy-MM-dd"));
        await page.GetByTestId("kp-problems").FillAsync("独居老人，需代购 · lives alone");
        await page.GetByTestId("kp-problems").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByTestId("kp-submit")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        var registered = page.Locator($"[data-testid=followup-item][data-resident-key='{returnee.ResidentKey}']");
        await Expect(registered).ToBeFocusedAsync();
        await Expect(registered).ToHaveAttributeAsync("data-category", "FromOutsideCity");
        await Expect(registered.GetByTestId("entry-colour")).ToHaveAttributeAsync("data-colour", "Red");
        await Expect(registered.GetByTestId("entry-ends-on")).ToHaveTextAsync(Today.AddDays(14).ToString("yyyy-MM-dd"));
        await Expect(page.GetByTestId("kp-tab-FromOutsideCity")).ToHaveAttributeAsync("data-count", "1");

        // Today's follow-up of the returnee: a temperature is required when reached.
        await registered.GetByTestId("check-submit").ClickAsync();
        await Expect(registered.Locator(".field-error[data-field=temperature]")).ToContainTextAsync("请填写体温");
        await registered.GetByTestId("check-temperature").FillAsync("36.6");
        await registered.GetByTestId("check-submit").ClickAsync();
        await Expect(registered).ToHaveAttributeAsync("data-due", "false");
        await Expect(registered.GetByTestId("followup-done")).ToHaveAttributeAsync("data-status", "SeenWell");
        await Expect(page.GetByTestId("followup-progress")).ToHaveAttributeAsync("data-done", "1");
        await ShotBoth(page, "register-02-confirmed-registered-followed-up", "register-new");

        // The next day (fake clock): both are due; the contact, never followed up, is overdue and listed first.
        fixture.Factory.Clock.Advance(TimeSpan.FromDays(1));
        await page.GetByTestId("tab-residents").ClickAsync();
        await page.GetByTestId("tab-register").ClickAsync();
        await Expect(page.GetByTestId("followup-progress")).ToHaveAttributeAsync("data-done", "0");
        var items = page.GetByTestId("followup-item");
        await Expect(items).ToHaveCountAsync(2);
        await Expect(items.First).ToHaveAttributeAsync("data-resident-key", contact.ResidentKey);
        await Expect(items.First).ToHaveAttributeAsync("data-missed", "1");
        await Expect(items.First.GetByTestId("entry-overdue")).ToBeVisibleAsync();
        await ShotBoth(page, "register-03-next-day-checklist-overdue-first", "followup-section");

        var first = items.First;
        await first.GetByTestId("check-temperature").FillAsync("37.6");
        await first.GetByTestId("check-symptom-cough").CheckAsync();
        await first.GetByTestId("check-note").FillAsync("上门测温 · home visit");
        await first.GetByTestId("check-submit").ClickAsync();
        var contactItem = page.Locator($"[data-testid=followup-item][data-resident-key='{contact.ResidentKey}']");
        await Expect(contactItem.GetByTestId("followup-done")).ToHaveAttributeAsync("data-status", "SeenWithSymptoms");
        await Expect(contactItem.GetByTestId("followup-done")).ToContainTextAsync("37.6 °C; symptoms: cough");
        var returneeItem = page.Locator($"[data-testid=followup-item][data-resident-key='{returnee.ResidentKey}']");
        await returneeItem.GetByTestId("check-reached").UncheckAsync();
        await Expect(returneeItem.GetByTestId("check-temperature")).ToBeHiddenAsync();
        await returneeItem.GetByTestId("check-note").FillAsync("电话未接，明早再访 · no answer");
        await returneeItem.GetByTestId("check-submit").ClickAsync();
        await Expect(returneeItem.GetByTestId("followup-done")).ToHaveAttributeAsync("data-status", "NotReached");
        await Expect(page.GetByTestId("followup-progress")).ToHaveAttributeAsync("data-done", "2");

        // The entry's history: registered, measure started, one follow-up per day.
        await returneeItem.GetByTestId("entry-history").Locator("summary").ClickAsync();
        await Expect(returneeItem.GetByTestId("entry-follow-up")).ToHaveCountAsync(2);
        await Expect(returneeItem.GetByTestId("entry-follow-up").First).ToContainTextAsync("36.6 °C");

        // Export the register: the import's columns first; the origin starting with @ is defused.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("register-export").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Log(csv);
        Assert.StartsWith("id_number,category,from_date,to_date,source,origin,", csv.TrimStart('\uFEFF'));
        Assert.Contains(",'@广州南站 · from Guangzhou,", csv);
        Assert.DoesNotContain(",@广州南站", csv);
        Assert.Contains("FromOutsideCity", csv);
        Assert.Contains("Dismissed", csv);

        // Release the returnee early, with a reason.
        await returneeItem.GetByTestId("release-details").Locator("summary").ClickAsync();
        await returneeItem.GetByTestId("release-reason").FillAsync("核酸阴性，经卫健委同意 · negative test, approved");
        await returneeItem.GetByTestId("release-submit").ClickAsync();
        var released = page.Locator($"[data-testid=closed-entry][data-resident-key='{returnee.ResidentKey}']");
        await Expect(released).ToHaveAttributeAsync("data-status", "Released");
        await Expect(released.GetByTestId("entry-close-reason")).ToContainTextAsync("negative test");
        await Expect(page.GetByTestId("followup-item")).ToHaveCountAsync(1);

        // Audited: the list, the actions and the export.
        using var audit = JsonDocument.Parse(await fixture.Admin.GetStringAsync($"/api/admin/audit?actor={staff.Username}&take=200"));
        var actions = audit.RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        foreach (var action in new[] { "key-person.register.list", "key-person.confirm", "key-person.dismiss", "key-person.register",
                     "key-person.follow-up", "key-person.release-early", "key-person.register.export" })
            Assert.Contains(action, actions);
    }

    [Fact]
    public async Task Village_staff_land_on_their_village_find_a_resident_by_phone_suffix_see_the_household_and_export_the_list()
    {
        var village = await EmptyVillageAsync();
        var staff = await NewStaffAsync("village", village);
        var well = await NewResidentAsync(village, "郑平安");
        await well.ApplyAsync(36.5m);
        var feverish = await NewResidentAsync(village, "=王发热");
        await feverish.ApplyAsync(36.6m);
        await feverish.ClockInAsync(38.1m);
        var notApplied = await NewResidentAsync(village, "冯未领");
        await WaitForCountsAsync(village, c => c.GetProperty("residents").GetInt32() == 3 && c.GetProperty("fever").GetInt32() == 1);

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        await page.SetViewportSizeAsync(390, 844);
        await SignInAsync(page, staff);

        // A one-village jurisdiction lands on it: no picker, only a way to type another code.
        await Expect(page.GetByTestId("village-code-text")).ToHaveTextAsync(village);
        await Expect(page.GetByTestId("village-picker")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("village-other")).ToBeVisibleAsync();

        // Yellow (fever) first, then the one not clocked in today, then the rest; a tile for "not clocked in today".
        var rows = page.GetByTestId("resident-row");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0)).ToHaveAttributeAsync("data-resident-key", feverish.ResidentKey);
        await Expect(rows.Nth(1)).ToHaveAttributeAsync("data-resident-key", notApplied.ResidentKey);
        await Expect(rows.Nth(2)).ToHaveAttributeAsync("data-resident-key", well.ResidentKey);
        await Expect(page.GetByTestId("count-notClockedInToday")).ToHaveAttributeAsync("data-value", "1");
        await Expect(rows.Nth(2).GetByTestId("row-household")).ToContainTextAsync("户主");

        // A whole phone number is refused (never searched, never in a URL); its last four digits find the resident.
        await page.GetByTestId("search-query").FillAsync(well.Phone);
        await page.GetByTestId("search-query").PressAsync("Enter");
        await Expect(page.GetByTestId("search-form").Locator(".field-error[data-field=query]")).ToContainTextAsync("后 4 位");
        var searched = page.WaitForRequestAsync(r => r.Url.EndsWith($"/api/villages/{village}/residents/search"));
        await page.GetByTestId("search-query").FillAsync(well.Phone[^4..]);
        await page.GetByTestId("search-query").PressAsync("Enter");
        var request = await searched;
        Assert.Equal("POST", request.Method);
        // The digits travel in the body only: the URL is exactly the route, with no query (a village code may
        // itself contain the four digits, so the path is compared whole rather than searched for them).
        Assert.Equal($"/api/villages/{village}/residents/search", new Uri(request.Url).PathAndQuery);
        Assert.Contains(well.Phone[^4..], request.PostData ?? "");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-resident-key", well.ResidentKey);
        await Expect(rows.First.GetByTestId("row-matched")).ToHaveAttributeAsync("data-matched", "phoneSuffix");
        await Expect(rows.First).ToBeFocusedAsync();
        await page.GetByTestId("search-form").EvaluateAsync("el => el.scrollIntoView({ block: 'start' })");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("residents-01-phone-suffix-search-390") });
        await Shot(page, "residents-01-phone-suffix-search-390-full");

        // The resident's household as its members, the head marked.
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("detail-name")).ToHaveTextAsync("郑平安");
        await Expect(page.GetByTestId("detail-household")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(page.GetByTestId("household-member")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("household-member").First).ToHaveAttributeAsync("data-head", "true");
        await Expect(page.GetByTestId("household-member").First).ToContainTextAsync("郑平安");

        // By name, on a laptop screen.
        await page.SetViewportSizeAsync(1366, 768);
        await page.GetByTestId("search-query").FillAsync("王发热");
        await page.GetByTestId("search-submit").ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First.GetByTestId("row-matched")).ToHaveAttributeAsync("data-matched", "name");
        await Shot(page, "residents-02-name-search-1366");

        // Export the list: the import's columns; the name that starts with = is defused.
        await page.GetByTestId("search-query").FillAsync("");
        await page.GetByTestId("search-submit").ClickAsync();
        await Expect(rows).ToHaveCountAsync(3);
        await Shot(page, "residents-03-attention-order-1366");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("residents-export").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Log(csv);
        Assert.StartsWith("household,name,id_number,phone,village_code,head,", csv.TrimStart('\uFEFF'));
        Assert.Contains(",'=王发热,", csv);
        Assert.Contains($",{well.Phone[..3]}****{well.Phone[^4..]},", csv);
        Assert.DoesNotContain(well.Phone, csv);
        Assert.Equal(4, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        using var audit = JsonDocument.Parse(await fixture.Admin.GetStringAsync($"/api/admin/audit?actor={staff.Username}&take=200"));
        var entries = audit.RootElement.EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "village.residents.export");
        var search = entries.Where(e => e.GetProperty("action").GetString() == "village.residents.search").ToList();
        Assert.NotEmpty(search);
        Assert.DoesNotContain(search, e => e.GetProperty("detail").GetString()!.Contains("王发热"));
    }

    // ---------------------------------------------------------------- helpers (as VillageConsoleTests)

    private Task<BrowserStaff> NewStaffAsync(string role, string jurisdiction) => fixture.NewStaffAsync(role, jurisdiction, StaffPassword);

    // From the third county on: the village console's tests take the tree's end, the portal's its first village.
    private Task<string> EmptyVillageAsync() => fixture.EmptyVillageAsync(fromEnd: false);

    private Task WaitForCountsAsync(string village, Func<JsonElement, bool> done) => fixture.WaitForVillageCountsAsync(village, done);

    private async Task<Resident> NewResidentAsync(string village, string name)
    {
        var client = fixture.Factory.HttpClient();
        var phone = fixture.NewPhone();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, await fixture.ReadCodeAsync(phone)));
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        var registered = await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest(name, ResidentFlow.NewIdNumber(), village, phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        return new Resident(client, body.GetProperty("profile").GetProperty("residentKey").GetString()!, phone);
    }

    private sealed class Resident(HttpClient client, string residentKey, string phone)
    {
        public string ResidentKey { get; } = residentKey;
        public string Phone { get; } = phone;

        public async Task ApplyAsync(decimal temperature) =>
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(temperature, true))).StatusCode);

        public async Task ClockInAsync(decimal temperature) =>
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/residents/me/clock-in",
                new ClockInRequest(temperature, temperature >= 37.3m ? ["fever"] : []))).StatusCode);

        public async Task SaveTripAsync(string train, DateOnly date, int carriage, int row) =>
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, carriage, row, null))).StatusCode);
    }

    private async Task<IPage> OpenAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { if (message.Type is "error" or "warning") Log($"console {message.Type}: {message.Text}"); };
        page.PageError += (_, error) => Log($"page error: {error}");
        page.Response += (_, response) => { if (response.Status >= 400) Log($"HTTP {response.Status} {response.Request.Method} {response.Url}"); };
        await page.GotoAsync("/staff.html");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        return page;
    }

    private static async Task SignInAsync(IPage page, BrowserStaff staff)
    {
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync(staff.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeHiddenAsync();
    }

    /// <summary>The same screen on a phone (390×844) and on a laptop (1366×768).</summary>
    private async Task ShotBoth(IPage page, string name, string? section = null)
    {
        await page.SetViewportSizeAsync(390, 844);
        await Shot(page, name + "-390-full");
        if (section is not null)
        {
            // What a phone shows: the section at the top of the screen.
            await page.GetByTestId(section).EvaluateAsync("el => el.scrollIntoView({ block: 'start' })");
            var path = fixture.ScreenshotPath(name + "-390");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
            Log($"screenshot {path}");
        }
        await page.SetViewportSizeAsync(1366, 768);
        await Shot(page, name + "-1366");
        await page.SetViewportSizeAsync(412, 915);
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
