using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Platforms 1 and 6 on screen (issue 14): a 12345 operator records a call, sees the earlier lead of the same place and
/// category as a possible duplicate, accepts and dispatches to a village; the village worker hands in the result in the
/// village console; the operator records the call-back "satisfied" and closes. An anonymous resident files a lead from
/// the portal and follows it by the number shown. Real headless Chromium against the real API; no sleeps.
/// </summary>
[Collection("browser")]
public sealed class TicketPagesTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string StaffPassword = "ticket-pass-1234";
    private static readonly Regex TicketNumber = new(@"^12345-\d{8}-\d{6}$");

    static TicketPagesTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task An_operator_records_a_call_dispatches_it_to_a_village_which_handles_it_then_records_satisfied_and_closes()
    {
        var village = await VillageAsync(countyIndex: 1, villageIndex: 1);
        var operatorStaff = await NewStaffAsync("hotline", "411200");
        var villageStaff = await NewStaffAsync("village", village);
        // An earlier lead of the same place and category: the operator must see it before accepting.
        using (var anonymous = fixture.Factory.HttpClient())
        {
            var lead = await anonymous.PostAsJsonAsync("/api/tickets/leads", new
            {
                category = "Gathering", regionCode = village, address = "村委会广场", description = "广场上有二十多人打牌 · a card game of twenty people",
            });
            Assert.Equal(HttpStatusCode.Created, lead.StatusCode);
        }
        // The read model is written by the ticket grain just after the call: poll it with a deadline.
        var earlier = (await Eventually.Until(async () =>
        {
            using var json = JsonDocument.Parse(await fixture.Admin.GetStringAsync($"/api/tickets/similar?region={village}&category=Gathering"));
            return json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()).FirstOrDefault();
        }, n => n is not null, TimeSpan.FromSeconds(15), "the earlier lead to reach the read model", TimeSpan.FromMilliseconds(50)))!;

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context, "/staff.html");
        await page.SetViewportSizeAsync(1366, 768);
        await SignInAsync(page, operatorStaff);

        // Operators go straight to the hotline console, the phone field focused: the call is typed in from the keyboard.
        await Expect(page.GetByTestId("view-tickets")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("call-form")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.GetByTestId("call-phone")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("13812345678");
        await Expect(page.GetByTestId("call-kind")).ToHaveValueAsync("Report");
        await page.GetByTestId("call-category").SelectOptionAsync("Gathering");
        await page.GetByTestId("call-county").SelectOptionAsync(village[..6]);
        await Expect(page.GetByTestId("call-township")).ToHaveAttributeAsync("data-loaded", "true");
        await page.GetByTestId("call-township").SelectOptionAsync(village[..9]);
        await Expect(page.GetByTestId("call-village")).ToHaveAttributeAsync("data-loaded", "true");
        await page.GetByTestId("call-village").SelectOptionAsync(village);
        await page.GetByTestId("call-address").FillAsync("村委会广场");
        await page.GetByTestId("call-description").FillAsync("村委会广场聚集打牌，无人劝阻 · people gathering to play cards");
        await page.GetByTestId("call-callback").CheckAsync();
        // The earlier lead is offered as a possible duplicate while the call is typed in.
        await Expect(page.GetByTestId("call-similar")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("call-similar-list").Locator($"[data-number='{earlier}']")).ToHaveCountAsync(1);
        await Shot(page, "tickets-01-hotline-call-1366");

        var created = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/tickets") && r.Request.Method == "POST");
        await page.GetByTestId("call-submit").ClickAsync();
        Assert.Equal(201, (await created).Status);
        var detail = page.GetByTestId("ticket-detail");
        await Expect(detail).ToHaveAttributeAsync("data-state", "Received");
        var number = await detail.GetAttributeAsync("data-number");
        Assert.Matches(TicketNumber, number);
        Assert.NotEqual(earlier, number);
        await Expect(page.GetByTestId("ticket-caller")).ToContainTextAsync("138****5678");
        await Expect(page.GetByTestId("detail-similar-list").Locator($"[data-number='{earlier}']")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("ticket-queue").Locator($"[data-number='{number}']")).ToHaveCountAsync(1);
        // The accept button is first: Enter accepts.
        await Expect(page.GetByTestId("accept-note")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(detail).ToHaveAttributeAsync("data-state", "Accepted");

        // Dispatch to the village of the place (offered by default).
        await Expect(page.GetByTestId("dispatch-village")).ToHaveValueAsync(village);
        await page.GetByTestId("dispatch-submit").ClickAsync();
        await Expect(detail).ToHaveAttributeAsync("data-state", "Dispatched");
        await Expect(page.GetByTestId("ticket-assignee")).ToContainTextAsync(village);
        await Expect(page.GetByTestId("action-handle")).ToHaveCountAsync(0); // the village handles it, not the operator
        await Shot(page, "tickets-02-hotline-dispatched-1366");

        // The village worker handles it in the village console's tickets pane.
        await using (var villageContext = await fixture.NewContextAsync())
        {
            var worker = await OpenAsync(villageContext, "/staff.html");
            await worker.SetViewportSizeAsync(1366, 768);
            await SignInAsync(worker, villageStaff);
            await Expect(worker.GetByTestId("village-panel")).ToBeVisibleAsync();
            await worker.GetByTestId("tab-tickets").ClickAsync();
            await Expect(worker.GetByTestId("village-ticket-list")).ToHaveAttributeAsync("data-loaded", "true");
            var line = worker.GetByTestId("village-ticket-list").Locator($"[data-number='{number}']");
            await Expect(line).ToHaveAttributeAsync("data-state", "Dispatched");
            await line.ClickAsync();
            var villageDetail = worker.GetByTestId("village-ticket-detail");
            await Expect(villageDetail).ToHaveAttributeAsync("data-number", number!);
            await Expect(villageDetail.GetByTestId("action-accept")).ToHaveCountAsync(0);
            await villageDetail.GetByTestId("handle-submit").ClickAsync();
            await Expect(villageDetail.Locator(".field-error[data-field=result]")).Not.ToBeEmptyAsync();
            await villageDetail.GetByTestId("handle-result").FillAsync("已到场劝散，张贴禁止聚集通告 · dispersed, notice posted");
            await villageDetail.GetByTestId("handle-submit").ClickAsync();
            await Expect(villageDetail).ToHaveAttributeAsync("data-state", "Handled");
            await Expect(villageDetail.GetByTestId("ticket-result")).ToContainTextAsync("dispersed");
            await Shot(worker, "tickets-03-village-handled-1366");
        }

        // The operator calls back: satisfied, then closes. The ticket leaves the queue.
        await page.GetByTestId("queue-refresh").ClickAsync();
        var queued = page.GetByTestId("ticket-queue").Locator($"[data-number='{number}']");
        await Expect(queued).ToHaveAttributeAsync("data-state", "Handled");
        await queued.ClickAsync();
        await Expect(detail).ToHaveAttributeAsync("data-state", "Handled");
        await page.GetByTestId("show-phone").ClickAsync();
        await Expect(page.GetByTestId("callback-phone")).ToHaveTextAsync("13812345678");
        await page.GetByTestId("feedback-outcome").SelectOptionAsync("Satisfied");
        await page.GetByTestId("feedback-submit").ClickAsync();
        await Expect(detail).ToHaveAttributeAsync("data-state", "FeedbackGiven");
        await Expect(page.GetByTestId("ticket-feedback")).ToContainTextAsync("满意");
        await page.GetByTestId("close-submit").ClickAsync();
        await Expect(detail).ToHaveAttributeAsync("data-state", "Closed");
        await Expect(detail.Locator("[data-testid=ticket-step][data-kind=Closed]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("ticket-queue").Locator($"[data-number='{number}']")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(page, "tickets-04-hotline-closed-1366");

        using var audit = JsonDocument.Parse(await fixture.Admin.GetStringAsync($"/api/admin/audit?actor={operatorStaff.Username}&take=200"));
        var actions = audit.RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        foreach (var action in new[] { "ticket.create", "ticket.accept", "ticket.dispatch", "ticket.contact.read", "ticket.feedback", "ticket.close" })
            Assert.Contains(action, actions);
    }

    [Fact]
    public async Task An_anonymous_resident_files_a_lead_from_the_portal_and_looks_up_its_status_by_the_number_shown()
    {
        var village = await VillageAsync(countyIndex: 2, villageIndex: 0);
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context, "/");
        await page.SetViewportSizeAsync(390, 844);

        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("open-lead").ClickAsync();
        await Expect(page.GetByTestId("view-lead")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("lead-form")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.GetByTestId("lead-category").Locator("option")).ToHaveCountAsync(11); // "choose" + the ten categories
        await Expect(page.GetByTestId("lead-category")).ToContainTextAsync("哄抬物价");

        await page.GetByTestId("lead-category").SelectOptionAsync("PriceGouging");
        await page.GetByTestId("lead-county").SelectOptionAsync(village[..6]);
        await Expect(page.GetByTestId("lead-township")).ToHaveAttributeAsync("data-loaded", "true");
        await page.GetByTestId("lead-township").SelectOptionAsync(village[..9]);
        await Expect(page.GetByTestId("lead-village")).ToHaveAttributeAsync("data-loaded", "true");
        await page.GetByTestId("lead-village").SelectOptionAsync(village);
        await page.GetByTestId("lead-address").FillAsync("村口超市");

        // A missing description is caught next to its field; a phone the server refuses is shown next to the phone.
        await page.GetByTestId("lead-submit").ClickAsync();
        await Expect(page.GetByTestId("lead-error-description")).ToContainTextAsync("请描述情况");
        await page.GetByTestId("lead-description").FillAsync("口罩一包卖 100 元 · a pack of masks for 100 yuan");
        await page.GetByTestId("lead-phone").FillAsync("12345");
        var refused = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/tickets/leads"));
        await page.GetByTestId("lead-submit").ClickAsync();
        Assert.Equal(400, (await refused).Status);
        await Expect(page.GetByTestId("lead-error-phone")).Not.ToBeEmptyAsync();
        await Expect(page.GetByTestId("lead-phone")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByTestId("error-fields")).ToContainTextAsync("手机号");
        await Shot(page, "tickets-05-portal-lead-form-390");

        await page.GetByTestId("lead-phone").FillAsync("");
        var filed = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/tickets/leads"));
        await page.GetByTestId("lead-submit").ClickAsync();
        Assert.Equal(201, (await filed).Status);
        await Expect(page.GetByTestId("lead-receipt")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("lead-form")).ToBeHiddenAsync();
        var number = (await page.GetByTestId("lead-number").TextContentAsync())!.Trim();
        Assert.Matches(TicketNumber, number);
        await Shot(page, "tickets-06-portal-lead-number-390", "view-lead");

        // Anyone follows it by that number: state and dates, no personal data.
        await page.GetByTestId("lead-status-number").FillAsync(number);
        await page.GetByTestId("lead-status-submit").ClickAsync();
        var status = page.GetByTestId("lead-status");
        await Expect(status).ToHaveAttributeAsync("data-number", number);
        await Expect(status).ToHaveAttributeAsync("data-state", "Received");
        await Expect(page.GetByTestId("lead-status-state")).ToContainTextAsync("待受理");
        await Expect(page.GetByTestId("lead-status-category")).ToContainTextAsync("哄抬物价");
        await Expect(page.GetByTestId("lead-status-step")).ToHaveCountAsync(1);
        await Expect(status).Not.ToContainTextAsync("口罩一包");
        await Expect(status).Not.ToContainTextAsync("村口超市");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(page, "tickets-07-portal-status-390", "lead-status-form");

        // A malformed number is refused before any call.
        await page.GetByTestId("lead-status-number").FillAsync("12345-2020");
        await page.GetByTestId("lead-status-submit").ClickAsync();
        await Expect(page.GetByTestId("lead-status-error")).ToContainTextAsync("12345-YYYYMMDD-NNNNNN");
        await Expect(status).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_county_commander_sees_the_queue_of_the_county_only_and_records_no_calls()
    {
        var mine = await VillageAsync(countyIndex: 3, villageIndex: 2);
        var other = await VillageAsync(countyIndex: 4, villageIndex: 2);
        var inCounty = await RecordCallAsync(mine, "Rumour", "群里传言自来水被污染 · a rumour that tap water is contaminated");
        var elsewhere = await RecordCallAsync(other, "Rumour", "同样的传言 · the same rumour elsewhere");
        var commander = await NewStaffAsync("commander", mine[..6]);

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context, "/staff.html");
        await page.SetViewportSizeAsync(1366, 768);
        await SignInAsync(page, commander);
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        await page.GetByTestId("console-tickets").ClickAsync();
        await Expect(page.GetByTestId("view-tickets")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("call-card")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("ticket-queue")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(page.GetByTestId("ticket-queue").Locator($"[data-number='{inCounty}']")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("ticket-queue").Locator($"[data-number='{elsewhere}']")).ToHaveCountAsync(0);
        foreach (var line in await page.GetByTestId("queue-item").AllAsync())
            Assert.StartsWith(mine[..6], await line.Locator(".queue-line-meta").TextContentAsync());
        await page.GetByTestId("ticket-queue").Locator($"[data-number='{inCounty}']").ClickAsync();
        await Expect(page.GetByTestId("ticket-detail")).ToHaveAttributeAsync("data-state", "Received");
        await Expect(page.GetByTestId("action-accept")).ToBeVisibleAsync();
        await Shot(page, "tickets-08-commander-queue-1366");
    }

    /// <summary>A call recorded as the administrator (the hotline's own route), as the console does it.</summary>
    private async Task<string> RecordCallAsync(string village, string category, string description)
    {
        var response = await fixture.Admin.PostAsJsonAsync("/api/tickets", new
        {
            kind = "Report", category, regionCode = village, description, phone = fixture.NewPhone(),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var number = json.RootElement.GetProperty("number").GetString()!;
        // The queue reads the read model, written by the grain just after the call.
        await Eventually.Until(async () => (await fixture.Admin.GetAsync($"/api/tickets/queue?region={village}&take=500")).Content is var c
                                           && (await c.ReadAsStringAsync()).Contains(number),
            TimeSpan.FromSeconds(15), $"ticket {number} in the queue", TimeSpan.FromMilliseconds(50));
        return number;
    }

    // ---------------------------------------------------------------- helpers

    private Task<BrowserStaff> NewStaffAsync(string role, string jurisdiction) => fixture.NewStaffAsync(role, jurisdiction, StaffPassword);

    /// <summary>A village of the synthetic tree: the first township of a county, the village at an index (other tests take the ends).</summary>
    private async Task<string> VillageAsync(int countyIndex, int villageIndex)
    {
        using var anonymous = fixture.Factory.HttpClient();
        var counties = (await anonymous.GetFromJsonAsync<List<RegionDto>>("/api/regions?parent=411200"))!;
        var county = counties[countyIndex % counties.Count];
        var township = (await anonymous.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={county.Code}"))![0];
        var villages = (await anonymous.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={township.Code}"))!;
        return villages[villageIndex % villages.Count].Code;
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

    private static async Task SignInAsync(IPage page, BrowserStaff staff)
    {
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync(staff.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeHiddenAsync();
    }

    /// <summary>A screenshot of the viewport: the top of the page, or the named part at the top of the screen.</summary>
    private async Task Shot(IPage page, string name, string? part = null)
    {
        if (part is null) await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        else await page.GetByTestId(part).EvaluateAsync("el => el.scrollIntoView({ block: 'start' })");
        var path = fixture.ScreenshotPath(name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        Log($"screenshot {path}");
    }

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* after the test ended */ }
    }
}
