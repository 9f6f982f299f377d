using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Tickets;
using Sanmenxia.IntegrationTests.Api;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Residents' appeals on screen (issue 14, "Appeals"): a resident with a fever flag files an appeal from the code page; the
/// village sees it with the masked name and today's code, clears the fever and records the answer; the resident's code page
/// shows the appeal resolved and the code green. A rejected appeal shows the village's reason on the code page. And the
/// hotline's call-back "not satisfied" reopens a ticket to the village once, then hands it to the supervisor.
/// Real headless Chromium against the real API; no sleeps.
/// </summary>
[Collection("browser")]
public sealed class AppealPagesTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string StaffPassword = "appeal-pass-1234";
    private static readonly Regex TicketNumber = new(@"^12345-\d{8}-\d{6}$");

    static AppealPagesTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task A_resident_appeals_from_the_code_page_the_village_clears_the_fever_and_answers_and_the_code_page_shows_it_resolved_and_green()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var resident = await NewFeverishResidentAsync(village, "陈退烧");
        var villageStaff = await fixture.NewStaffAsync("village", village, StaffPassword);

        // The resident files the appeal from the code page (phone width).
        await using var residentContext = await fixture.NewContextAsync();
        var portal = await OpenAsync(residentContext, "/");
        await portal.SetViewportSizeAsync(390, 844);
        await SignInResidentAsync(portal, resident.Phone);
        var me = portal.GetByTestId("my-code");
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Yellow");
        var card = me.GetByTestId("appeal-card");
        await Expect(card).ToHaveAttributeAsync("data-loaded", "true");
        await me.GetByTestId("appeal-open").ClickAsync();
        await me.GetByTestId("appeal-reason").SelectOptionAsync("FeverGone");
        await me.GetByTestId("appeal-note").FillAsync("前天起体温正常（36.6 ℃），请复核 · temperature normal since the day before yesterday");
        await Shot(portal, "appeals-01-portal-appeal-form-390", "appeal-card");
        var filed = portal.WaitForResponseAsync(r => r.Url.EndsWith("/api/residents/me/appeals") && r.Request.Method == "POST");
        await me.GetByTestId("appeal-submit").ClickAsync();
        Assert.Equal(201, (await filed).Status);
        await Expect(card).ToHaveAttributeAsync("data-state", "Dispatched");
        var number = await card.GetAttributeAsync("data-number");
        Assert.Matches(TicketNumber, number);
        await Expect(me.GetByTestId("appeal-number")).ToHaveTextAsync(number!);
        await Expect(me.GetByTestId("appeal-due")).Not.ToBeEmptyAsync();
        await Expect(me.GetByTestId("appeal-details")).ToBeHiddenAsync(); // one open appeal at a time
        await Expect(portal.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(portal, "appeals-02-portal-appeal-filed-390", "appeal-card");

        // The village sees it with the masked name and today's code, clears the fever, and records the answer.
        await using (var villageContext = await fixture.NewContextAsync())
        {
            var worker = await OpenAsync(villageContext, "/staff.html");
            await worker.SetViewportSizeAsync(1366, 900);
            await SignInStaffAsync(worker, villageStaff);
            await Expect(worker.GetByTestId("village-panel")).ToBeVisibleAsync();
            await worker.GetByTestId("tab-tickets").ClickAsync();
            await Expect(worker.GetByTestId("village-ticket-list")).ToHaveAttributeAsync("data-loaded", "true");
            var line = worker.GetByTestId("village-ticket-list").Locator($"[data-number='{number}']");
            await Expect(line).ToHaveAttributeAsync("data-state", "Dispatched");
            await line.ClickAsync();
            var detail = worker.GetByTestId("village-ticket-detail");
            await Expect(detail).ToHaveAttributeAsync("data-number", number!);
            await Expect(detail.GetByTestId("ticket-appeal-reason")).ToContainTextAsync("已退烧");
            var person = detail.GetByTestId("ticket-person");
            await Expect(person).ToHaveAttributeAsync("data-fever", "true");
            await Expect(person.GetByTestId("person-name")).ToHaveTextAsync("陈*烧");
            await Expect(person.GetByTestId("person-colour")).ToHaveAttributeAsync("data-colour", "Yellow");
            await Expect(detail).Not.ToContainTextAsync(resident.IdNumber);
            await Shot(worker, "appeals-03-village-appeal-1366", "village-ticket-detail");

            await person.GetByTestId("clear-fever-note").FillAsync("上门复测 36.5 ℃，无症状 · re-measured 36.5 °C");
            await person.GetByTestId("clear-fever-submit").ClickAsync();
            await Expect(person).ToHaveAttributeAsync("data-fever", "false");
            await Expect(person.GetByTestId("person-colour")).ToHaveAttributeAsync("data-colour", "Green");
            await detail.GetByTestId("handle-decision").SelectOptionAsync("Resolved");
            await detail.GetByTestId("handle-result").FillAsync("已上门复测，体温正常，发热标记已解除 · fever flag cleared");
            await detail.GetByTestId("handle-submit").ClickAsync();
            await Expect(detail).ToHaveAttributeAsync("data-state", "Handled");
            await Expect(detail.GetByTestId("ticket-appeal-decision")).ToContainTextAsync("已解决");
            await Expect(worker.GetByTestId("error")).ToBeHiddenAsync();
            await Shot(worker, "appeals-04-village-appeal-resolved-1366", "village-ticket-detail");
        }

        // The resident's code page: resolved, with the answer, and the code green.
        await portal.ReloadAsync();
        await Expect(portal.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(card).ToHaveAttributeAsync("data-decision", "Resolved");
        await Expect(me.GetByTestId("appeal-answer")).ToContainTextAsync("fever flag cleared");
        await Expect(me.GetByTestId("appeal-details")).ToBeVisibleAsync(); // answered: another appeal may be filed
        await Shot(portal, "appeals-05-portal-appeal-resolved-390", "appeal-card");
    }

    [Fact]
    public async Task A_rejected_appeal_shows_the_villages_reason_on_the_code_page()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var resident = await NewFeverishResidentAsync(village, "林驳回");
        var filed = await resident.Client.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("WrongColour", null));
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var number = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;

        // The village rejects it with a reason.
        var villageStaff = await fixture.NewStaffAsync("village", village, StaffPassword);
        await using (var villageContext = await fixture.NewContextAsync())
        {
            var worker = await OpenAsync(villageContext, "/staff.html");
            await worker.SetViewportSizeAsync(1366, 900);
            await SignInStaffAsync(worker, villageStaff);
            await worker.GetByTestId("tab-tickets").ClickAsync();
            await Expect(worker.GetByTestId("village-ticket-list")).ToHaveAttributeAsync("data-loaded", "true");
            await worker.GetByTestId("village-ticket-list").Locator($"[data-number='{number}']").ClickAsync();
            var detail = worker.GetByTestId("village-ticket-detail");
            await Expect(detail.GetByTestId("ticket-person")).ToHaveAttributeAsync("data-colour", "Yellow");
            await detail.GetByTestId("handle-decision").SelectOptionAsync("Rejected");
            await detail.GetByTestId("handle-result").FillAsync("今日打卡体温 38.4 ℃，须上门复测正常后方可解除 · 38.4 °C today: a normal re-measurement first");
            await detail.GetByTestId("handle-submit").ClickAsync();
            await Expect(detail).ToHaveAttributeAsync("data-state", "Handled");
            await Expect(detail.GetByTestId("ticket-appeal-decision")).ToContainTextAsync("申诉未获支持");
        }

        await using var residentContext = await fixture.NewContextAsync();
        var portal = await OpenAsync(residentContext, "/");
        await portal.SetViewportSizeAsync(390, 844);
        await SignInResidentAsync(portal, resident.Phone);
        var me = portal.GetByTestId("my-code");
        var card = me.GetByTestId("appeal-card");
        await Expect(card).ToHaveAttributeAsync("data-decision", "Rejected");
        await Expect(me.GetByTestId("appeal-number")).ToHaveTextAsync(number);
        await Expect(me.GetByTestId("appeal-decision")).ToContainTextAsync("申诉未获支持");
        await Expect(me.GetByTestId("appeal-answer")).ToContainTextAsync("a normal re-measurement first");
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Yellow");
        await Shot(portal, "appeals-06-portal-appeal-rejected-390", "appeal-card");
    }

    [Fact]
    public async Task The_hotline_records_not_satisfied_twice_the_first_reopens_the_ticket_to_the_village_the_second_hands_it_to_the_supervisor()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var operatorStaff = await fixture.NewStaffAsync("hotline", "411200", StaffPassword);
        var villageStaff = await fixture.NewStaffAsync("village", village, StaffPassword);
        using var villageClient = await StaffClientAsync(villageStaff);
        using var operatorClient = await StaffClientAsync(operatorStaff);
        var lead = await fixture.Factory.HttpClient().PostAsJsonAsync("/api/tickets/leads",
            new LeadRequest("PriceGouging", village, "村口超市", null, null, "口罩一只卖 20 元 · masks at 20 yuan each", null, null, null));
        Assert.Equal(HttpStatusCode.Created, lead.StatusCode);
        var number = (await lead.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        await PostOkAsync(operatorClient, $"/api/tickets/{number}/accept", new AcceptTicketRequest(null));
        await PostOkAsync(operatorClient, $"/api/tickets/{number}/dispatch", new DispatchTicketRequest(null, village, null));
        await PostOkAsync(villageClient, $"/api/tickets/{number}/handle", new HandleTicketRequest("已约谈店主 · the owner was warned"));

        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context, "/staff.html");
        await page.SetViewportSizeAsync(1366, 900);
        await SignInStaffAsync(page, operatorStaff);
        await Expect(page.GetByTestId("view-tickets")).ToBeVisibleAsync();
        var detail = page.GetByTestId("ticket-detail");
        async Task OpenQueuedAsync(string state)
        {
            await page.GetByTestId("queue-refresh").ClickAsync();
            var queued = page.GetByTestId("ticket-queue").Locator($"[data-number='{number}']");
            await Expect(queued).ToHaveAttributeAsync("data-state", state);
            await queued.ClickAsync();
            await Expect(detail).ToHaveAttributeAsync("data-state", state);
        }

        // First "not satisfied": back to the village that handled it, once.
        await OpenQueuedAsync("Handled");
        await page.GetByTestId("feedback-outcome").SelectOptionAsync("NotSatisfied");
        await page.GetByTestId("feedback-note").FillAsync("仍在高价销售 · still overpriced");
        await page.GetByTestId("feedback-submit").ClickAsync();
        await Expect(detail).ToHaveAttributeAsync("data-state", "Dispatched");
        await Expect(detail.Locator("[data-testid=ticket-step][data-kind=Reopened]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("ticket-reopens")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("ticket-assignee")).ToContainTextAsync(village);

        // The village handles it again; second "not satisfied": to the supervisor.
        await PostOkAsync(villageClient, $"/api/tickets/{number}/handle", new HandleTicketRequest("已没收并立案 · stock seized"));
        await OpenQueuedAsync("Handled");
        await page.GetByTestId("feedback-outcome").SelectOptionAsync("NotSatisfied");
        await page.GetByTestId("feedback-submit").ClickAsync();
        await Expect(detail).ToHaveAttributeAsync("data-state", "Supervision");
        await Expect(detail.Locator("[data-testid=ticket-step][data-kind=ToSupervisor]")).ToHaveCountAsync(1);
        await Expect(detail.Locator("[data-testid=ticket-step][data-kind=Reopened]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(page, "appeals-07-hotline-not-satisfied-to-supervisor-1366", "ticket-detail");
    }

    // ------------------------------------------------------------------ helpers

    private sealed record Resident(HttpClient Client, string Phone, string IdNumber);

    /// <summary>Registered, applied (green), then a fever at clock-in: yellow until the village clears it.</summary>
    private async Task<Resident> NewFeverishResidentAsync(string village, string name)
    {
        var client = fixture.Factory.HttpClient();
        var phone = fixture.NewPhone();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, await fixture.ReadCodeAsync(phone)));
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        var id = ResidentFlow.NewIdNumber();
        var registered = await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest(name, id, village, phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(36.5m, true))).StatusCode);
        var fever = await client.PostAsJsonAsync("/api/residents/me/clock-in", new ClockInRequest(38.4m, ["fever"]));
        Assert.Equal(HttpStatusCode.OK, fever.StatusCode);
        return new Resident(client, phone, id);
    }

    private async Task<HttpClient> StaffClientAsync(BrowserStaff staff)
    {
        var client = fixture.Factory.HttpClient();
        var login = await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(staff.Username, staff.Password));
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        return client;
    }

    private static async Task PostOkAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
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

    private async Task SignInResidentAsync(IPage page, string phone)
    {
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("phone").FillAsync(phone);
        await page.GetByTestId("send-code").ClickAsync();
        await Expect(page.GetByTestId("code-sent")).ToContainTextAsync("****");
        await page.GetByTestId("code").FillAsync(await fixture.ReadCodeAsync(phone));
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
    }

    private static async Task SignInStaffAsync(IPage page, BrowserStaff staff)
    {
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync(staff.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeHiddenAsync();
    }

    /// <summary>A screenshot of the viewport with the named part scrolled to the top of the screen.</summary>
    private async Task Shot(IPage page, string name, string part)
    {
        await page.GetByTestId(part).First.EvaluateAsync("el => el.scrollIntoView({ block: 'start' })");
        var path = fixture.ScreenshotPath(name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        Log($"screenshot {path}");
    }

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* after the test ended */ }
    }
}
