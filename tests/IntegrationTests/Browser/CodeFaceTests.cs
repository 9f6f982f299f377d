using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Issue 17, the resident portal's code face: live (the seconds tick, the ring turns), refreshed before its token expires,
/// the last code kept offline with back-off and opened offline from the portal's service worker; red and yellow guidance
/// with the village's duty phone; a household member's own QR; a 320×568 phone and 200 % text. Time is Playwright's clock
/// (page.Clock), never a sleep.
/// </summary>
[Collection("browser")]
public sealed class CodeFaceTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string QrPath = "/api/residents/me/code/qr";

    static CodeFaceTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task The_face_ticks_refreshes_before_expiry_and_keeps_the_last_code_offline_until_the_network_returns()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var (_, client) = await GreenResidentAsync(village, "林晓");
        await using var context = await fixture.NewContextAsync();
        var page = await SignedInPageAsync(context, client);
        var qrRequests = 0;
        page.Request += (_, r) => { if (r.Url.EndsWith(QrPath, StringComparison.Ordinal)) Interlocked.Increment(ref qrRequests); };

        var start = fixture.Factory.Clock.GetUtcNow().UtcDateTime;
        await page.Clock.InstallAsync(new ClockInstallOptions { TimeDate = start });
        await OpenAsync(page);
        var pageNow = await page.EvaluateAsync<double>("() => Date.now()");
        await page.Clock.PauseAtAsync(DateTimeOffset.FromUnixTimeMilliseconds((long)pageNow + 3_000).UtcDateTime);
        var me = page.GetByTestId("my-code");
        await Expect(me.GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        await Expect(me).ToHaveAttributeAsync("data-state", "live");

        // Live: Beijing time by the second, one second later a second later; the ring turns.
        var clockTime = me.GetByTestId("code-clock-time");
        await Expect(clockTime).ToHaveTextAsync(new Regex(@"^\d{2}:\d{2}:\d{2}$"));
        // (Each step runs a second and a half: one whole second of the clock shown is crossed, perhaps two.)
        var clockLine = me.GetByTestId("code-clock");
        var second = (await clockLine.GetAttributeAsync("data-second"))!;
        var shown = await clockTime.TextContentAsync();
        await page.Clock.RunForAsync(1_500);
        await Expect(clockLine).Not.ToHaveAttributeAsync("data-second", second);
        Assert.NotEqual(shown, await clockTime.TextContentAsync());
        var next = (await clockLine.GetAttributeAsync("data-second"))!;
        Assert.Contains(int.Parse(next), new[] { (int.Parse(second) + 1) % 60, (int.Parse(second) + 2) % 60 });
        await page.Clock.RunForAsync(1_500);
        await Expect(clockLine).Not.ToHaveAttributeAsync("data-second", next);
        Assert.Equal("smx-ring", await me.GetByTestId("qr-live").EvaluateAsync<string>("e => getComputedStyle(e, '::before').animationName"));
        await Expect(me.GetByTestId("qr-live")).ToHaveAttributeAsync("data-live", "true");

        // The token lives 5 minutes: no refresh at 3 min 20 s, one before it expires (at 75 % of its life, 3 min 45 s).
        var fetchedAt = await me.GetByTestId("qr").GetAttributeAsync("data-fetched-at");
        var before = Volatile.Read(ref qrRequests);
        await page.Clock.RunForAsync(200_000);
        Assert.Equal(before, Volatile.Read(ref qrRequests));
        Assert.Equal(fetchedAt, await me.GetByTestId("qr").GetAttributeAsync("data-fetched-at"));
        var refresh = page.WaitForRequestAsync(r => r.Url.EndsWith(QrPath, StringComparison.Ordinal));
        await page.Clock.RunForAsync(30_000);
        await refresh;
        await Expect(me.GetByTestId("qr")).Not.ToHaveAttributeAsync("data-fetched-at", fetchedAt!);
        var expiresAt = DateTimeOffset.Parse((await me.GetByTestId("qr").GetAttributeAsync("data-expires-at"))!);
        Assert.True(expiresAt > fixture.Factory.Clock.GetUtcNow(), "the refreshed QR is valid");
        await Shot(page, "codeface-01-live");

        // Offline: the next refresh fails, the last code stays with "as of HH:MM, offline", retried after 2 s, then 4 s.
        // (Fast-forward fires each due timer once: the refresh, then nothing until the retry the failure schedules.)
        await context.SetOfflineAsync(true);
        await page.Clock.FastForwardAsync("05:00");
        await Expect(me).ToHaveAttributeAsync("data-state", "offline");
        await Expect(me.GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        await Expect(me.GetByTestId("qr-status")).ToBeVisibleAsync();
        await Expect(me.GetByTestId("qr-status")).ToContainTextAsync("离线");
        await Expect(me.GetByTestId("qr-status-time")).ToHaveTextAsync(new Regex(@"^\d{2}:\d{2}$"));
        await Expect(me.GetByTestId("qr-live")).ToHaveAttributeAsync("data-live", "false");
        await Expect(me).ToHaveAttributeAsync("data-retry-ms", "2000");
        await page.Clock.FastForwardAsync(2_000);
        await Expect(me).ToHaveAttributeAsync("data-retry-ms", "4000");
        await Shot(page, "codeface-02-offline");

        // Back online: the next retry restores the live face.
        await context.SetOfflineAsync(false);
        await page.Clock.FastForwardAsync(4_000);
        await Expect(me).ToHaveAttributeAsync("data-state", "live");
        await Expect(me.GetByTestId("qr-status")).ToBeHiddenAsync();
        await Expect(me.GetByTestId("qr-live")).ToHaveAttributeAsync("data-live", "true");
    }

    [Fact]
    public async Task The_portal_shell_opens_offline_after_a_first_visit_with_the_last_code_and_leaves_the_checkpoint_worker_alone()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var (_, client) = await GreenResidentAsync(village, "许安");
        await using var context = await PortalContextAsync(390, 844, ServiceWorkerPolicy.Allow); // the portal's worker is the point of this test
        var page = await SignedInPageAsync(context, client);
        await OpenAsync(page);
        var me = page.GetByTestId("my-code");
        await Expect(me.GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-shell-cached", "true");
        await page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null");

        await context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        await Expect(me).ToHaveAttributeAsync("data-state", "offline");
        await Expect(me.GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(me.GetByTestId("qr-status")).ToContainTextAsync("离线");
        await Expect(me.GetByTestId("qr-status-time")).ToBeVisibleAsync();
        await Shot(page, "codeface-03-opened-offline");

        await context.SetOfflineAsync(false);
        await Expect(me).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("profile-name")).ToHaveTextAsync("许安");

        // The checkpoint page keeps its own worker (scope /checkpoint); the two registrations live side by side.
        var checkpoint = await context.NewPageAsync();
        await checkpoint.GotoAsync("/checkpoint.html");
        // (The portal's worker answers the page's first load, passing it through; the checkpoint's then claims it.)
        await checkpoint.WaitForFunctionAsync("() => navigator.serviceWorker.controller?.scriptURL.endsWith('/sw.js') === true");
        var scopes = await page.EvaluateAsync<string[]>("async () => (await navigator.serviceWorker.getRegistrations()).map(r => new URL(r.scope).pathname).sort()");
        Assert.Equal(["/", "/checkpoint"], scopes);
        Assert.EndsWith("/portal-sw.js", await page.EvaluateAsync<string>("() => navigator.serviceWorker.controller.scriptURL"));
    }

    [Fact]
    public async Task Red_and_yellow_codes_say_when_they_end_what_to_do_and_the_villages_duty_phone()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var staff = await fixture.NewStaffAsync("village", village, "password-1234");
        using var villageClient = await StaffClientAsync(staff);
        var set = await villageClient.PutAsJsonAsync($"/api/villages/{village}/contact", new VillageContactRequest("0398-2821234"));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        // Red: a close contact under central isolation from yesterday; observation runs 14 days from the exposure.
        var (_, redClient) = await GreenResidentAsync(village, "赵红");
        var redKey = (await redClient.GetFromJsonAsync<JsonElement>("/api/residents/me")).GetProperty("profile").GetProperty("residentKey").GetString();
        var today = DateOnly.FromDateTime(fixture.Factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var exposure = today.AddDays(-1);
        (await villageClient.PostAsJsonAsync($"/api/villages/{village}/residents/{redKey}/key-person",
            new KeyPersonRequest("CloseContact", exposure, "case 2020-031", "CentralIsolation", "集中隔离点", null))).EnsureSuccessStatusCode();

        await using var context = await fixture.NewContextAsync();
        var page = await SignedInPageAsync(context, redClient);
        await OpenAsync(page);
        var me = page.GetByTestId("my-code");
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Red");
        var guidance = me.GetByTestId("code-guidance");
        await Expect(guidance).ToBeVisibleAsync();
        await Expect(me.GetByTestId("code-ends")).ToHaveAttributeAsync("data-kind", "observationEnds");
        await Expect(me.GetByTestId("code-ends-date")).ToHaveTextAsync(exposure.AddDays(14).ToString("yyyy-MM-dd"));
        await Expect(me.GetByTestId("code-todo")).ToHaveAttributeAsync("data-code", "blocked.isolation"); // isolation outranks the contact
        await Expect(me.GetByTestId("code-todo")).ToContainTextAsync("每天打卡");
        await Expect(me.GetByTestId("code-contact-phone")).ToHaveAttributeAsync("href", "tel:0398-2821234");
        await Shot(page, "codeface-04-red-guidance");

        // Yellow: two days without a clock-in; one clock-in today turns it green, said with today's date.
        var (_, yellowClient) = await GreenResidentAsync(village, "钱黄");
        fixture.Factory.Clock.Advance(TimeSpan.FromDays(2));
        var yellowPage = await SignedInPageAsync(context, yellowClient);
        await OpenAsync(yellowPage);
        var mine = yellowPage.GetByTestId("my-code");
        await Expect(mine.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Yellow");
        await Expect(mine.GetByTestId("code-ends")).ToHaveAttributeAsync("data-kind", "greenOn");
        await Expect(mine.GetByTestId("code-ends-date")).ToHaveTextAsync(today.AddDays(2).ToString("yyyy-MM-dd"));
        await Expect(mine.GetByTestId("code-todo")).ToHaveAttributeAsync("data-code", "yellow.missed-clock-in");
        await Expect(mine.GetByTestId("code-todo")).ToContainTextAsync("每天打卡");
        await Expect(mine.GetByTestId("code-contact-phone")).ToHaveTextAsync("0398-2821234");
        await Shot(yellowPage, "codeface-05-yellow-guidance");

        // Green shows no guidance.
        var (_, greenClient) = await GreenResidentAsync(village, "孙绿");
        var greenPage = await SignedInPageAsync(context, greenClient);
        await OpenAsync(greenPage);
        await Expect(greenPage.GetByTestId("my-code").GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(greenPage.GetByTestId("my-code").GetByTestId("code-guidance")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_head_shows_a_members_own_live_QR_which_a_checkpoint_scan_admits()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var (_, head) = await GreenResidentAsync(village, "周建");
        var added = await head.PostAsJsonAsync("/api/households/mine/members",
            new AddMemberRequest("周奶奶", ResidentFlow.NewIdNumber(), null));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var memberKey = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("residentKey").GetString()!;
        var staff = await fixture.NewStaffAsync("village", village, "password-1234");
        using var villageClient = await StaffClientAsync(staff);
        (await villageClient.PostAsync($"/api/villages/{village}/claims/{memberKey}/confirm", null)).EnsureSuccessStatusCode();
        (await head.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/apply", new ApplyRequest(36.4m, true))).EnsureSuccessStatusCode();

        await using var context = await fixture.NewContextAsync();
        var page = await SignedInPageAsync(context, head);
        await OpenAsync(page);
        await page.GetByTestId("tab-household").ClickAsync();
        var member = page.GetByTestId("member").Filter(new() { HasText = "周奶奶" });
        var qrShown = page.WaitForResponseAsync(r => r.Url.EndsWith($"/api/households/mine/members/{memberKey}/code/qr", StringComparison.Ordinal));
        await member.GetByTestId("member-view-code").ClickAsync();
        var memberCode = page.GetByTestId("member-code");
        await Expect(memberCode.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(memberCode.GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        await Expect(memberCode).ToHaveAttributeAsync("data-state", "live");
        await Expect(memberCode.GetByTestId("qr-live")).ToHaveAttributeAsync("data-live", "true");
        await Expect(memberCode.GetByTestId("code-clock-time")).ToHaveTextAsync(new Regex(@"^\d{2}:\d{2}:\d{2}$"));
        var token = (await (await qrShown).JsonAsync())!.Value.GetProperty("token").GetString()!;
        await Shot(page, "codeface-06-member-qr");

        // The token the page showed is the member's own: a checkpoint scan admits the member, not the head.
        var id = BrowserFixtureHelpers.NewCheckpointId(village);
        Assert.Equal(HttpStatusCode.Created,
            (await fixture.Admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "村口", village, null, null))).StatusCode);
        using var scanner = await StaffClientAsync(await CheckpointGuardAsync(village, id));
        var pass = await scanner.PostAsJsonAsync($"/api/checkpoints/{id}/passes", new RegisterPassRequest("In", token, null, null));
        var body = await pass.Content.ReadAsStringAsync();
        Assert.True(pass.StatusCode == HttpStatusCode.OK, body);
        var admitted = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Allowed", admitted.GetProperty("outcome").GetString());
        Assert.Equal("周*奶", admitted.GetProperty("maskedName").GetString());
    }

    [Fact]
    public async Task On_a_320_by_568_phone_the_QR_is_fully_visible_right_after_sign_in()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var (_, client) = await GreenResidentAsync(village, "吴小");
        await using var context = await PortalContextAsync(320, 568, ServiceWorkerPolicy.Block);
        var page = await SignedInPageAsync(context, client);
        await OpenAsync(page);
        var qr = page.GetByTestId("my-code").GetByTestId("qr");
        await Expect(qr.Locator("svg")).ToBeVisibleAsync();
        Assert.Equal(0, await page.EvaluateAsync<double>("() => window.scrollY"));
        var box = (await qr.BoundingBoxAsync())!;
        output.WriteLine($"QR at {box.X},{box.Y} {box.Width}×{box.Height}");
        Assert.True(box.Y >= 0 && box.Y + box.Height <= 568, $"the QR ({box.Y}..{box.Y + box.Height}) is within the 568-px viewport");
        Assert.True(box.X >= 0 && box.X + box.Width <= 320, $"the QR ({box.X}..{box.X + box.Width}) is within the 320-px viewport");
        Assert.True(box.Width >= 150, $"the QR is big enough to scan ({box.Width} px)");
        await Shot(page, "codeface-07-320x568");
    }

    [Fact]
    public async Task At_200_percent_text_every_tab_is_within_the_screen_and_opens()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var (_, client) = await GreenResidentAsync(village, "郑大");
        await using var context = await PortalContextAsync(390, 844, ServiceWorkerPolicy.Block);
        var page = await SignedInPageAsync(context, client);
        await OpenAsync(page);
        await Expect(page.GetByTestId("my-code").GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        // The browser's text size at 200 % (the root font size, as a user's setting gives it).
        await page.EvaluateAsync("() => { document.documentElement.style.fontSize = '200%'; }");
        Assert.Equal(32, await page.EvaluateAsync<double>("() => parseFloat(getComputedStyle(document.documentElement).fontSize)"));
        await Shot(page, "codeface-08-200-percent-text");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"),
            "nothing is wider than the screen at 200 % text");

        foreach (var name in new[] { "code", "household", "report", "needs", "trips" })
        {
            var tab = page.GetByTestId($"tab-{name}");
            var box = (await tab.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= 390.5, $"tab {name} ({box.X}..{box.X + box.Width}) is within the 390-px screen");
            Assert.True(await tab.EvaluateAsync<bool>("t => t.scrollWidth <= t.clientWidth + 1"), $"tab {name}'s label is not cut off");
            await tab.ClickAsync();
            await Expect(tab).ToHaveAttributeAsync("aria-selected", "true");
            await Expect(page.GetByTestId($"panel-{name}")).ToBeVisibleAsync();
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>As the fixture's, asked again after a 503 (the shared test machine is loaded; registering is safe to repeat).</summary>
    private async Task<(string IdNumber, HttpClient Client)> GreenResidentAsync(string village, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await fixture.NewGreenResidentAsync(village, name);
            }
            catch (Exception e) when (attempt < 3 && e.Message.Contains("ServiceUnavailable", StringComparison.Ordinal))
            {
                output.WriteLine($"registering {name} answered 503; again ({attempt})");
            }
        }
    }

    /// <summary>A page signed in as the client's resident (its token and key in the portal's storage, as a sign-in leaves them).</summary>

    /// <summary>A Chinese phone context on Beijing time, with the portal's service worker allowed or blocked.</summary>
    private async Task<IBrowserContext> PortalContextAsync(int width, int height, ServiceWorkerPolicy workers)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Factory.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ServiceWorkers = workers,
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    private static async Task<IPage> SignedInPageAsync(IBrowserContext context, HttpClient resident)
    {
        var token = resident.DefaultRequestHeaders.Authorization!.Parameter!;
        var key = (await resident.GetFromJsonAsync<JsonElement>("/api/residents/me")).GetProperty("profile").GetProperty("residentKey").GetString()!;
        var page = await context.NewPageAsync();
        await page.AddInitScriptAsync($"localStorage.setItem('smx.resident.token', {JsonSerializer.Serialize(token)}); "
            + $"localStorage.setItem('smx.resident.key', {JsonSerializer.Serialize(key)});");
        return page;
    }

    private async Task OpenAsync(IPage page)
    {
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");
        page.Console += (_, m) => { if (m.Type is "error") output.WriteLine($"console: {m.Text}"); };
        await page.GotoAsync("/");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
    }

    private async Task<HttpClient> StaffClientAsync(BrowserStaff staff)
    {
        var client = fixture.Factory.HttpClient();
        var login = await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(staff.Username, staff.Password));
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        return client;
    }

    private async Task<BrowserStaff> CheckpointGuardAsync(string village, string checkpoint)
    {
        var username = $"cpg-{Guid.NewGuid():N}"[..20];
        (await fixture.Admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest(username, "password-1234", "测试 检测点", "checkpoint", village, checkpoint)))
            .EnsureSuccessStatusCode();
        return new BrowserStaff(username, "password-1234", village);
    }

    private async Task Shot(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath(name), FullPage = true });
}
