using Microsoft.Playwright;
using Sanmenxia.Identity;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Every page speaks one language at a time (js/i18n.js): Chinese by default, whatever the browser's own language, with
/// no English shadow beside it; English one click (or one Enter) away on the header's switch, remembered across a
/// reload and on the other pages; `?lang=en` in an address does the same; every API call says which language the page
/// speaks in its Accept-Language.
/// </summary>
[Collection("browser")]
public sealed class LanguageSwitchTests(BrowserFixture fixture, ITestOutputHelper output)
{
    static LanguageSwitchTests() => SetDefaultExpectTimeout(15_000);

    /// <summary>Each page as it opens signed out, and how to tell it has finished drawing.</summary>
    public static readonly TheoryData<string> Pages =
        ["/", "/staff.html", "/trips.html", "/checkpoint.html", "/audit.html", "/dashboard.html"];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_speaks_only_chinese_by_default_even_in_an_english_browser(string path)
    {
        await using var context = await NewContextAsync("en-US");
        var page = await OpenAsync(context, path);

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(page.GetByTestId("lang-zh-CN")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.GetByTestId("lang-en")).ToHaveAttributeAsync("aria-pressed", "false");
        await AssertChineseOnlyAsync(page, path);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_in_english_shows_no_chinese_but_the_switchs_own_name(string path)
    {
        await using var context = await NewContextAsync("zh-CN");
        var page = await OpenAsync(context, path + "?lang=en");

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.GetByTestId("lang-en")).ToHaveAttributeAsync("aria-pressed", "true");
        await AssertEnglishOnlyAsync(page, path);
    }

    [Fact]
    public async Task English_is_one_keypress_away_and_stays_chosen_after_a_reload_and_on_the_other_pages()
    {
        await using var context = await NewContextAsync("zh-CN");
        var page = await OpenAsync(context, "/staff.html");
        var signIn = page.GetByTestId("staff-sign-in");
        await Expect(signIn).ToHaveTextAsync("登录");
        await Expect(page.GetByTestId("lang-switch")).ToHaveAttributeAsync("role", "group");
        await Expect(page.GetByTestId("lang-switch")).ToHaveAttributeAsync("aria-label", "语言");

        // Keyboard only: focus the English button and press Enter; the page comes back in English.
        await page.GetByTestId("lang-en").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(signIn).ToHaveTextAsync("Sign in");
        await Expect(page.GetByTestId("staff-username")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("lang-switch")).ToHaveAttributeAsync("aria-label", "Language");
        Assert.DoesNotMatch("[\u4e00-\u9fff]", await page.TitleAsync());
        await AssertEnglishOnlyAsync(page, "/staff.html");

        await page.ReloadAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(signIn).ToHaveTextAsync("Sign in");

        var portal = await OpenAsync(context, "/");
        await Expect(portal.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(portal.GetByTestId("sign-in")).ToHaveTextAsync("Sign in");
        await AssertEnglishOnlyAsync(portal, "/");

        // And back: 中文 by a click, on another page.
        await portal.GetByTestId("lang-zh-CN").ClickAsync();
        await Expect(portal.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(portal.GetByTestId("sign-in")).ToHaveTextAsync("登录");
        await page.ReloadAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(signIn).ToHaveTextAsync("登录");
    }

    [Fact]
    public async Task A_language_in_the_address_is_remembered_and_undone_by_the_switch()
    {
        await using var context = await NewContextAsync("zh-CN");
        var page = await OpenAsync(context, "/trips.html?lang=en");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        var next = await OpenAsync(context, "/audit.html");
        await Expect(next.Locator("html")).ToHaveAttributeAsync("lang", "en");

        // Choosing Chinese on a page opened with ?lang=en drops the parameter, so the reload does not undo the choice.
        await page.GetByTestId("lang-zh-CN").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        Assert.DoesNotContain("lang=", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_api_call_carries_the_pages_language_not_the_browsers()
    {
        await using var context = await NewContextAsync("en-US");
        var page = await OpenAsync(context, "/staff.html");
        var languages = new List<(string Url, string? Language)>();
        page.Request += async (_, request) =>
        {
            if (!request.Url.Contains("/api/", StringComparison.Ordinal)) return;
            var language = await request.HeaderValueAsync("accept-language");
            lock (languages) languages.Add((request.Url, language));
        };

        async Task<(string Url, string? Language)> FailedSignInAsync()
        {
            var answered = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/auth/staff/login", StringComparison.Ordinal));
            await page.GetByTestId("staff-username").FillAsync("nobody-" + Guid.NewGuid().ToString("N")[..8]);
            await page.GetByTestId("staff-password").FillAsync("wrong-password-123");
            await page.GetByTestId("staff-sign-in").ClickAsync();
            var response = await answered;
            Assert.Equal(401, response.Status);
            var language = await response.Request.HeaderValueAsync("accept-language");
            await Expect(page.GetByTestId("error")).ToBeVisibleAsync();
            return (response.Url, language);
        }

        var chinese = await FailedSignInAsync();
        Assert.Equal("zh-CN", chinese.Language);
        // One language in the alert's title: no "中文 · English" pair built by the page.
        await Expect(page.GetByTestId("error-title")).Not.ToContainTextAsync(" · ");

        await page.GetByTestId("lang-en").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        var english = await FailedSignInAsync();
        Assert.Equal("en", english.Language);

        // The portal's own calls (its clock) carry it too.
        var portal = await context.NewPageAsync();
        var time = portal.WaitForRequestAsync(r => r.Url.Contains("/api/time", StringComparison.Ordinal));
        await portal.GotoAsync("/");
        Assert.Equal("en", await (await time).HeaderValueAsync("accept-language"));
        lock (languages) output.WriteLine(string.Join("\n", languages.Select(l => $"{l.Language} {l.Url}")));
    }

    [Fact]
    public async Task The_admins_console_menu_speaks_one_language_at_a_time()
    {
        await using var context = await NewContextAsync("zh-CN");
        var page = await OpenAsync(context, "/staff.html");
        await page.GetByTestId("staff-username").FillAsync("admin");
        await page.GetByTestId("staff-password").FillAsync(BrowserApiFactory.AdminPassword);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("console-audit")).ToBeVisibleAsync();
        await AssertChineseOnlyAsync(page, "/staff.html (admin)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("lang-01-staff-zh"), FullPage = true });

        await page.GetByTestId("lang-en").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        // The session survives the reload that switches the language.
        await Expect(page.GetByTestId("console-audit")).ToBeVisibleAsync();
        await AssertEnglishOnlyAsync(page, "/staff.html (admin)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("lang-02-staff-en"), FullPage = true });
    }

    [Fact]
    public async Task A_resident_in_english_registers_applies_and_reads_the_code_card_in_english()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        await using var context = await NewContextAsync("zh-CN");
        var page = await OpenAsync(context, "/?lang=en");
        var phone = fixture.NewPhone();
        await page.GetByTestId("phone").FillAsync(phone);
        await page.GetByTestId("send-code").ClickAsync();
        await Expect(page.GetByTestId("code-sent")).ToContainTextAsync("****");
        await page.GetByTestId("code").FillAsync(await fixture.ReadCodeAsync(phone));
        await page.GetByTestId("sign-in").ClickAsync();

        await Expect(page.GetByTestId("view-register")).ToBeVisibleAsync();
        await page.GetByTestId("reg-name").FillAsync("林语言");
        await page.GetByTestId("reg-id-number").FillAsync(ResidentIdNumber.Create(village[..6], new DateOnly(1991, 3, 9), 517).Value);
        foreach (var (testid, code) in new[] { ("reg-county", village[..6]), ("reg-township", village[..9]), ("reg-village", village) })
        {
            var select = page.GetByTestId(testid);
            await Expect(select.Locator($"option[value='{code}']")).ToBeAttachedAsync();
            await select.SelectOptionAsync(code);
        }
        await page.GetByTestId("reg-submit").ClickAsync();
        await Expect(page.GetByTestId("view-home")).ToBeVisibleAsync();

        var me = page.GetByTestId("my-code");
        await me.GetByTestId("apply-temperature").FillAsync("36.5");
        await me.GetByTestId("apply-pledge").CheckAsync();
        await me.GetByTestId("apply-submit").ClickAsync();
        await Expect(me.GetByTestId("code-colour")).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(me.GetByTestId("code-colour")).ToContainTextAsync("Green");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("lang-03-portal-en"), FullPage = true });

        // The header, the tabs and the code card speak English (the resident's own name is data and stays as written).
        var chinese = await PageLanguage.ChineseLinesAsync(page, "header.topbar, [role='tablist'], [data-testid='my-code']");
        Assert.True(chinese.Count == 0, $"Chinese in the English portal: {string.Join(" | ", chinese)}");
    }

    private async Task<IBrowserContext> NewContextAsync(string browserLocale)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Factory.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 412, Height = 915 },
            Locale = browserLocale,
            TimezoneId = "Asia/Shanghai",
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    private async Task<IPage> OpenAsync(IBrowserContext context, string path)
    {
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => Log($"page error on {path}: {error}");
        await page.GotoAsync(path);
        await WaitDrawnAsync(page);
        return page;
    }

    /// <summary>The page's own "finished" mark (body[data-ready]), or the dashboard's sign-in once it is shown.</summary>
    private static async Task WaitDrawnAsync(IPage page)
    {
        await Expect(page.GetByTestId("lang-switch")).ToBeVisibleAsync();
        if (page.Url.Contains("dashboard", StringComparison.Ordinal))
            await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        else
            await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
    }

    private static async Task AssertChineseOnlyAsync(IPage page, string what)
    {
        Assert.True((await PageLanguage.EnglishElementsAsync(page)).Count == 0,
            $"{what}: elements in English: {string.Join(" | ", await PageLanguage.EnglishElementsAsync(page))}");
        var pairs = await PageLanguage.JoinedPairsAsync(page);
        Assert.True(pairs.Count == 0, $"{what}: 中文 · English pairs: {string.Join(" | ", pairs)}");
        var english = await PageLanguage.EnglishRunsAsync(page);
        Assert.True(english.Count == 0, $"{what}: English in the Chinese page: {string.Join(" | ", english)}");
    }

    private static async Task AssertEnglishOnlyAsync(IPage page, string what)
    {
        var chinese = await PageLanguage.ChineseLinesAsync(page);
        Assert.True(chinese.Count == 0, $"{what}: Chinese in the English page: {string.Join(" | ", chinese)}");
        await Expect(page.GetByTestId("lang-zh-CN")).ToHaveTextAsync("中文");
    }

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* after the test ended */ }
    }
}
