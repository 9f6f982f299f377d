using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Issue 17, the resident portal's forms on a 320×568 phone in zh-CN: the outcome of Apply and Clock in shown where the
/// user is looking, today's clock-in in place of the form (a second one said to be an update), a wrong one-time code
/// shown on the code field, the translated resend countdown, registration without asking for the phone again, saving a
/// trip that matched nothing, and axe-core over each of these screens (0 serious or critical violations).
/// Waits are Playwright's auto-waiting expectations, never sleeps.
/// </summary>
[Collection("browser")]
public sealed class ResidentFormsTests(BrowserFixture fixture, ITestOutputHelper output)
{
    static ResidentFormsTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task Apply_and_clock_in_answer_where_the_user_looks_and_a_second_clock_in_says_it_updated_today()
    {
        await using var context = await PhoneContextAsync();
        var page = await OpenAsync(context);
        var phone = fixture.NewPhone();
        await SignInAndRegisterAsync(page, phone, "赵文静");

        var me = page.GetByTestId("my-code");
        await me.GetByTestId("apply-temperature").FillAsync("36.5");
        await me.GetByTestId("apply-pledge").CheckAsync();
        await me.GetByTestId("apply-submit").ClickAsync();

        // The result sits under the code face, has the focus (so it is read out), and the new QR is in view.
        var applied = me.GetByTestId("apply-result");
        await Expect(applied).ToContainTextAsync("绿码");
        await Expect(applied).ToBeFocusedAsync();
        await Expect(me.GetByTestId("qr").Locator("svg")).ToBeVisibleAsync();
        await Expect(me.GetByTestId("code-colour")).ToBeInViewportAsync();

        // The application is today's clock-in: a summary instead of the form.
        var summary = me.GetByTestId("clockin-summary");
        await Expect(summary).ToContainTextAsync(new Regex(@"今日已打卡：\d\d:\d\d，体温 36\.5 °C"));
        await Expect(me.GetByTestId("clockin-form")).ToBeHiddenAsync();
        await Shot(page, "forms-01-clocked-in-summary-320");

        // "Update today's temperature" re-opens the form and says a later clock-in only updates today's record.
        await me.GetByTestId("clockin-update").ClickAsync();
        await Expect(me.GetByTestId("clockin-update-note")).ToBeVisibleAsync();
        await Expect(me.GetByTestId("clockin-update-note")).ToContainTextAsync("不会多算一天");
        await Expect(me.GetByTestId("clockin-temperature")).ToBeFocusedAsync();
        await Expect(me.GetByTestId("clockin-submit")).ToContainTextAsync("更新今日记录");
        await me.GetByTestId("clockin-temperature").FillAsync("37.1");
        var answer = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/residents/me/clock-in"));
        await me.GetByTestId("clockin-submit").ClickAsync();
        using (var body = JsonDocument.Parse(await (await answer).TextAsync()))
            Assert.True(body.RootElement.GetProperty("updatedToday").GetBoolean(), "the server should say the clock-in updated today's record");

        var result = me.GetByTestId("clockin-result");
        await Expect(result).ToHaveAttributeAsync("data-updated-today", "true");
        await Expect(result).ToContainTextAsync("今日记录已更新");
        await Expect(result).ToContainTextAsync("37.1");
        await Expect(result).ToContainTextAsync("原 36.5 °C");
        await Expect(result).ToBeFocusedAsync();
        await Expect(result).ToBeInViewportAsync();
        await Expect(me.GetByTestId("apply-result")).ToBeEmptyAsync();
        await Expect(summary).ToContainTextAsync("37.1 °C");
        await Expect(me.GetByTestId("clockin-form")).ToBeHiddenAsync();
        await Shot(page, "forms-02-todays-record-updated-320");

        // After a reload the summary comes from the code read, not from the page's memory.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("my-code").GetByTestId("clockin-summary")).ToContainTextAsync("37.1 °C");
        await ExpectNoSeriousAxeViolationsAsync(page, "home, code tab");
        await ExpectNoHorizontalScrollAsync(page);
    }

    [Fact]
    public async Task A_wrong_code_is_shown_on_the_code_field_and_the_countdown_is_translated()
    {
        await using var context = await PhoneContextAsync();
        var page = await OpenAsync(context);
        await ExpectNoSeriousAxeViolationsAsync(page, "sign-in");
        await ExpectNoHorizontalScrollAsync(page);

        var phone = fixture.NewPhone();
        await page.GetByTestId("phone").FillAsync(phone);
        await page.GetByTestId("send-code").ClickAsync();
        await Expect(page.GetByTestId("code-sent")).ToContainTextAsync("****");
        var send = page.GetByTestId("send-code");
        await Expect(send).ToBeDisabledAsync();
        await Expect(send).ToHaveAttributeAsync("data-countdown", new Regex(@"^\d+$"));
        // The countdown goes through i18n.js, in the page's language (zh-CN by default), with the seconds in it.
        await Expect(send).ToHaveTextAsync(new Regex(@"^\d+ 秒后可重新获取$"));
        // At 320 px the wider countdown wraps under the phone field instead of squeezing it.
        var field = await page.GetByTestId("phone").BoundingBoxAsync();
        Assert.True(field!.Width >= 150, $"the phone field is {field.Width} px wide beside the countdown");
        await ExpectNoHorizontalScrollAsync(page);

        var code = await fixture.ReadCodeAsync(phone);
        await page.GetByTestId("code").FillAsync(code == "000000" ? "111111" : "000000");
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page.GetByTestId("field-error-code")).ToContainTextAsync("验证码错误");
        await Expect(page.GetByTestId("code")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByTestId("error-title")).Not.ToContainTextAsync("请重新登录");
        await Expect(page.GetByTestId("error-title")).Not.ToContainTextAsync("Not signed in");
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await Shot(page, "forms-03-wrong-code-320");
        await ExpectNoSeriousAxeViolationsAsync(page, "sign-in with a wrong code");

        // The right code still signs in; registration shows the phone just used, read-only.
        await page.GetByTestId("code").FillAsync(code);
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-register")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("reg-phone")).ToHaveValueAsync(phone);
        await Expect(page.GetByTestId("reg-phone")).ToHaveAttributeAsync("readonly", "");
        await Expect(page.GetByTestId("reg-county").Locator("option").Nth(1)).ToBeAttachedAsync();
        await ExpectNoSeriousAxeViolationsAsync(page, "registration");
        await ExpectNoHorizontalScrollAsync(page);
        await Shot(page, "forms-04-register-320");
    }

    [Fact]
    public async Task A_trip_that_matched_nothing_is_saved_from_the_query_form()
    {
        await using var context = await PhoneContextAsync();
        var page = await OpenAsync(context);
        await SignInAndRegisterAsync(page, fixture.NewPhone(), "钱多多");

        await page.GetByTestId("tab-trips").ClickAsync();
        var number = $"K{Random.Shared.Next(1000, 9999)}";
        await page.GetByTestId("trip-mode").SelectOptionAsync("Train");
        await page.GetByTestId("trip-number").FillAsync(number);
        await page.GetByTestId("trip-query-submit").ClickAsync();
        var result = page.GetByTestId("trip-result");
        await Expect(result).ToHaveAttributeAsync("data-matched", "false");

        var save = page.GetByTestId("trip-save");
        await Expect(save).ToBeVisibleAsync();
        await save.ClickAsync();
        var saved = page.GetByTestId("trip-save-result");
        await Expect(saved).ToContainTextAsync("行程已登记");
        await Expect(saved).ToBeFocusedAsync();
        await Expect(save).ToBeHiddenAsync();
        await Expect(page.GetByTestId("my-trip").Filter(new() { HasText = number })).ToHaveCountAsync(1);
        await Shot(page, "forms-05-unmatched-trip-saved-320");
        await ExpectNoSeriousAxeViolationsAsync(page, "home, trips tab");

        // Self-report and help: the outcome next to the button.
        await page.GetByTestId("tab-needs").ClickAsync();
        await page.GetByTestId("need-detail").FillAsync("需要代购降压药");
        await page.GetByTestId("need-submit").ClickAsync();
        await Expect(page.GetByTestId("need-result")).ToContainTextAsync("求助已提交");
        await Expect(page.GetByTestId("need-result")).ToBeFocusedAsync();
        await ExpectNoSeriousAxeViolationsAsync(page, "home, needs tab");
        await page.GetByTestId("tab-report").ClickAsync();
        await Expect(page.GetByTestId("report-form")).ToBeVisibleAsync();
        await ExpectNoSeriousAxeViolationsAsync(page, "home, self-report tab");
        await ExpectNoHorizontalScrollAsync(page);
    }

    [Fact]
    public async Task The_trips_publication_page_has_no_serious_axe_violations_signed_out_or_in()
    {
        await using var context = await PhoneContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/trips.html");
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await ExpectNoSeriousAxeViolationsAsync(page, "trips.html sign-in");

        var commander = await fixture.NewStaffAsync("commander", "411200", "Commander-pass-17");
        await page.GetByTestId("staff-username").FillAsync(commander.Username);
        await page.GetByTestId("staff-password").FillAsync(commander.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-main")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("publish-form")).ToBeVisibleAsync();
        await ExpectNoSeriousAxeViolationsAsync(page, "trips.html signed in");
    }

    // ------------------------------------------------------------------ helpers

    private Task<IBrowserContext> PhoneContextAsync() => fixture.NewContextAsync();

    private async Task<IPage> OpenAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(320, 568);
        page.PageError += (_, error) => Log($"page error: {error}");
        await page.GotoAsync("/");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        return page;
    }

    private async Task SignInAndRegisterAsync(IPage page, string phone, string name)
    {
        await page.GetByTestId("phone").FillAsync(phone);
        await page.GetByTestId("send-code").ClickAsync();
        await Expect(page.GetByTestId("code-sent")).ToContainTextAsync("****");
        await page.GetByTestId("code").FillAsync(await fixture.ReadCodeAsync(phone));
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-register")).ToBeVisibleAsync();
        await page.GetByTestId("reg-name").FillAsync(name);
        await page.GetByTestId("reg-id-number").FillAsync(Api.ResidentFlow.NewIdNumber());
        foreach (var level in new[] { "reg-county", "reg-township", "reg-village" })
        {
            var select = page.GetByTestId(level);
            await Expect(select).ToHaveAttributeAsync("data-loaded", "true");
            await Expect(select.Locator("option").Nth(1)).ToBeAttachedAsync();
            await select.SelectOptionAsync(new SelectOptionValue { Index = 1 });
        }
        await page.GetByTestId("reg-submit").ClickAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();
    }

    /// <summary>
    /// axe-core's serious and critical violations on the page as it is; every node counts.
    /// </summary>
    private async Task ExpectNoSeriousAxeViolationsAsync(IPage page, string screen)
    {
        var results = await page.RunAxe();
        var serious = results.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => (v.Id, v.Help, Nodes: v.Nodes.ToList()))
            .Where(v => v.Nodes.Count > 0)
            .ToList();
        foreach (var (id, help, nodes) in serious)
            Log($"axe {screen}: {id} {help}: {string.Join(" | ", nodes.Take(8).Select(n => n.Html))}");
        Assert.True(serious.Count == 0, $"axe-core on {screen}: {string.Join(", ", serious.Select(v => $"{v.Id} ×{v.Nodes.Count}"))}");
    }

    private static async Task ExpectNoHorizontalScrollAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow} px at 320 px");
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
