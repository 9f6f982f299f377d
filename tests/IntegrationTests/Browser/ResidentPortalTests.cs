using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sanmenxia.Identity;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The resident portal (线上三门峡 居民端) in a real headless Chromium against the real API: sign in with a
/// one-time code, register, apply for the green code, miss days (fake clock) and clock in, act for a
/// household member as proxy, ask for help. Waits are Playwright's auto-waiting expectations, never sleeps.
/// </summary>
[Collection("browser")]
public sealed class ResidentPortalTests(BrowserFixture fixture, ITestOutputHelper output)
{
    static ResidentPortalTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task Resident_registers_applies_turns_yellow_clocks_in_acts_for_household_and_asks_for_help()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);

        var phone = fixture.NewPhone();
        await SignInAsync(page, phone);

        // Registration: name, ID number, the first county → township → village.
        await Expect(page.GetByTestId("view-register")).ToBeVisibleAsync();
        var idNumber = ResidentIdNumber.Create("411202", new DateOnly(1980, 5, 17), 123).Value;
        await page.GetByTestId("reg-name").FillAsync("王建国");
        await page.GetByTestId("reg-id-number").FillAsync(idNumber);
        await PickFirstVillageAsync(page);
        await Shot(page, "01-register");
        await page.GetByTestId("reg-submit").ClickAsync();

        // Home, not applied yet.
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("profile-name")).ToHaveTextAsync("王建国");
        var me = page.GetByTestId("my-code");
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "None");
        await Expect(me.GetByTestId("code-reason")).ToHaveAttributeAsync("data-code", "none.not-applied");
        await Expect(page.GetByTestId("today-date")).ToContainTextAsync("2020-02-01");

        // Apply with 36.5 °C and the honesty pledge → green, with a QR code.
        await me.GetByTestId("apply-temperature").FillAsync("36.5");
        await me.GetByTestId("apply-pledge").CheckAsync();
        await me.GetByTestId("apply-submit").ClickAsync();
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(me.GetByTestId("code-colour")).ToContainTextAsync("绿码");
        await Expect(me.GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        await Expect(me.GetByTestId("history-item").First).ToHaveAttributeAsync("data-to", "Green");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(page, "02-green-after-apply");

        // Two days without a clock-in → yellow, with the reason and what to do.
        fixture.Factory.Clock.Advance(TimeSpan.FromDays(2));
        await page.ReloadAsync();
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Yellow");
        await Expect(me.GetByTestId("code-reason")).ToHaveAttributeAsync("data-code", "yellow.missed-clock-in");
        await Expect(me.GetByTestId("code-reason")).ToContainTextAsync("漏打卡");
        await Expect(me.GetByTestId("code-next-step")).ToHaveAttributeAsync("data-code", "clock-in-today");
        await Expect(me.GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("today-date")).ToContainTextAsync("2020-02-03");
        await Shot(page, "03-yellow-after-two-days");

        // Clock in → green at once.
        await me.GetByTestId("clockin-temperature").FillAsync("36.6");
        await me.GetByTestId("clockin-submit").ClickAsync();
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(me.GetByTestId("code-reason")).ToHaveAttributeAsync("data-code", "green.clocked-in-today");
        await Expect(me.GetByTestId("history-item").First).ToHaveAttributeAsync("data-cause", "ClockedInWhileYellow");
        await Expect(me.Locator("[data-testid=history-item][data-to=Yellow][data-cause=MissedClockIn]")).ToHaveCountAsync(1);
        await Shot(page, "04-green-after-clock-in");

        // Household: add a member without a phone, apply and clock in for them as household head.
        await page.GetByTestId("tab-household").ClickAsync();
        await Expect(page.GetByTestId("member")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("member").First).ToHaveAttributeAsync("data-is-head", "true");
        var childId = ResidentIdNumber.Create("411202", new DateOnly(2012, 9, 3), 124).Value;
        await page.GetByTestId("member-name").FillAsync("王小宝");
        await page.GetByTestId("member-id-number").FillAsync(childId);
        await page.GetByTestId("member-add").ClickAsync();
        await Expect(page.GetByTestId("member")).ToHaveCountAsync(2);
        var child = page.GetByTestId("member").Filter(new() { HasText = "王小宝" });
        await Expect(child).ToContainTextAsync("无手机");

        var panel = page.GetByTestId("member-panel");
        if (!await panel.IsVisibleAsync()) await child.GetByTestId("member-view-code").ClickAsync();
        await Expect(panel).ToBeVisibleAsync();
        await Expect(page.GetByTestId("member-panel-name")).ToHaveTextAsync("王小宝");
        var member = page.GetByTestId("member-code");
        await Expect(member.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "None");
        await member.GetByTestId("apply-temperature").FillAsync("36.4");
        await member.GetByTestId("apply-pledge").CheckAsync();
        await member.GetByTestId("apply-submit").ClickAsync();
        await Expect(member.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");

        // The application was the member's clock-in today: the card shows it, and updating it re-opens the form.
        await Expect(member.GetByTestId("clockin-summary")).ToContainTextAsync("36.4 °C");
        await member.GetByTestId("clockin-update").ClickAsync();
        await member.GetByTestId("clockin-temperature").FillAsync("36.5");
        await member.GetByTestId("clockin-symptom-cough").CheckAsync();
        var clockIn = page.WaitForResponseAsync(r => r.Url.Contains("/api/households/mine/members/") && r.Url.EndsWith("/clock-in"));
        await member.GetByTestId("clockin-submit").ClickAsync();
        Assert.True((await clockIn).Ok, "the proxy clock-in should be accepted");
        await Expect(member.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(member.GetByTestId("code-clocked-in")).ToHaveAttributeAsync("data-value", "true");
        var byHead = member.Locator("[data-testid=history-item][data-by=HouseholdProxy]");
        await Expect(byHead.First).ToBeVisibleAsync();
        await Expect(byHead.First).ToContainTextAsync("户主代办");
        await Shot(page, "05-household-member-by-proxy");

        // Health self-report: temperature, symptoms and recent travel are saved and shown again after a reload.
        await page.GetByTestId("tab-report").ClickAsync();
        await page.GetByTestId("report-temperature").FillAsync("36.7");
        await page.GetByTestId("report-symptom-cough").CheckAsync();
        await page.GetByTestId("report-travel").FillAsync("1月20日 郑州 → 三门峡 (G1234)");
        var saved = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/residents/me/self-report") && r.Request.Method == "PUT");
        await page.GetByTestId("report-submit").ClickAsync();
        Assert.True((await saved).Ok, "the self-report should be saved");
        await Expect(page.GetByTestId("report-status")).ToContainTextAsync("2020");

        // Ask for help: the request shows as open, and is still there after a reload.
        await page.GetByTestId("tab-needs").ClickAsync();
        await page.GetByTestId("need-kind").SelectOptionAsync("Medicine");
        await page.GetByTestId("need-detail").FillAsync("家中老人高血压药吃完了，请帮忙代购 · out of blood-pressure pills");
        await page.GetByTestId("need-submit").ClickAsync();
        var need = page.GetByTestId("need").First;
        await Expect(need).ToHaveAttributeAsync("data-status", "Open");
        await Expect(need).ToHaveAttributeAsync("data-kind", "Medicine");
        await Expect(need.GetByTestId("need-status")).ToContainTextAsync("待处理");
        await Expect(need).ToContainTextAsync("高血压药");
        await Shot(page, "06-need-open");

        await page.ReloadAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
        await page.GetByTestId("tab-needs").ClickAsync();
        await Expect(page.GetByTestId("need")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("need").First).ToHaveAttributeAsync("data-status", "Open");
        await page.GetByTestId("tab-report").ClickAsync();
        await Expect(page.GetByTestId("report-temperature")).ToHaveValueAsync("36.7");
        await Expect(page.GetByTestId("report-symptom-cough")).ToBeCheckedAsync();
        await Expect(page.GetByTestId("report-travel")).ToHaveValueAsync("1月20日 郑州 → 三门峡 (G1234)");
    }

    [Fact]
    public async Task An_invalid_ID_number_at_registration_shows_the_field_error_from_the_problem_details()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        await SignInAsync(page, fixture.NewPhone());

        await Expect(page.GetByTestId("view-register")).ToBeVisibleAsync();
        var valid = ResidentIdNumber.Create("411202", new DateOnly(1975, 11, 2), 321).Value;
        var wrongCheck = valid[..17] + (valid[17] == '0' ? '1' : '0');
        await page.GetByTestId("reg-name").FillAsync("李四");
        await page.GetByTestId("reg-id-number").FillAsync(wrongCheck);
        await PickFirstVillageAsync(page);
        var response = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/residents/me") && r.Request.Method == "POST");
        await page.GetByTestId("reg-submit").ClickAsync();
        Assert.InRange((await response).Status, 400, 499);

        await Expect(page.GetByTestId("error")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("field-error-idNumber")).ToContainTextAsync("校验位");
        await Expect(page.GetByTestId("error-fields")).ToContainTextAsync("身份证号");
        await Expect(page.GetByTestId("reg-id-number")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByTestId("view-register")).ToBeVisibleAsync();
        await Shot(page, "07-register-invalid-id");
    }

    [Fact]
    public async Task A_wrong_one_time_code_is_refused_with_the_problem_detail()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        var phone = fixture.NewPhone();
        await page.GetByTestId("phone").FillAsync(phone);
        await page.GetByTestId("send-code").ClickAsync();
        await Expect(page.GetByTestId("code-sent")).ToContainTextAsync("****");
        var code = await fixture.ReadCodeAsync(phone);
        await page.GetByTestId("code").FillAsync(code == "000000" ? "111111" : "000000");
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page.GetByTestId("error")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("field-error-code")).ToContainTextAsync("验证码错误");
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
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
        await page.GotoAsync("/");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        return page;
    }

    private async Task SignInAsync(IPage page, string phone)
    {
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await page.GetByTestId("phone").FillAsync(phone);
        await page.GetByTestId("send-code").ClickAsync();
        await Expect(page.GetByTestId("code-sent")).ToContainTextAsync("****");
        await page.GetByTestId("code").FillAsync(await fixture.ReadCodeAsync(phone));
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeHiddenAsync();
    }

    private static async Task PickFirstVillageAsync(IPage page)
    {
        foreach (var level in new[] { "reg-county", "reg-township", "reg-village" })
        {
            var select = page.GetByTestId(level);
            await Expect(select).ToHaveAttributeAsync("data-loaded", "true");
            await Expect(select.Locator("option").Nth(1)).ToBeAttachedAsync();
            await select.SelectOptionAsync(new SelectOptionValue { Index = 1 });
        }
        await Expect(page.GetByTestId("reg-village")).Not.ToHaveValueAsync("");
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
