using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Issue 17, the checkpoint console on a 390×844 phone in headless Chromium: a guard lands on their own checkpoint with a
/// compact header and no developer paste form; an unknown person, a mistyped ID number, a tampered and an expired QR are
/// decisions in the big block ("拒绝通行" / "核验身份证") with the reason in the page's language, never the alert; the
/// temperature entered with a pass refuses a fever, also on a repeat after a yellow "check"; an administrator picks the
/// checkpoint from the list; axe-core finds no serious or critical violation.
/// </summary>
[Collection("browser")]
public sealed class CheckpointDecisionTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "checkpoint-decide-1234";

    static CheckpointDecisionTests() => SetDefaultExpectTimeout(15_000);

    private async Task<(string Id, string Village, string Username)> NewCheckpointAsync(string name)
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var id = BrowserFixtureHelpers.NewCheckpointId(village);
        Assert.Equal(HttpStatusCode.Created,
            (await fixture.Admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, name, village, null, null))).StatusCode);
        var username = $"cpd-{Guid.NewGuid():N}"[..20];
        (await fixture.Admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, Password, "测试 检测点", "checkpoint", village, id))).EnsureSuccessStatusCode();
        return (id, village, username);
    }

    private async Task<(IBrowserContext Context, IPage Page)> PhoneAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Factory.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 1,
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => Log($"page error: {error}");
        page.Console += (_, m) => { if (m.Type is "error") Log($"console: {m.Text}"); };
        return (context, page);
    }

    private static async Task SignInAsync(IPage page, string username, string password)
    {
        await page.GotoAsync("/checkpoint.html");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await page.GetByTestId("staff-username").FillAsync(username);
        await page.GetByTestId("staff-password").FillAsync(password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
    }

    [Fact]
    public async Task A_guard_lands_on_their_checkpoint_and_sees_refusals_and_fever_as_decisions()
    {
        var (id, village, username) = await NewCheckpointAsync("北门检测点");
        var (green, _) = await fixture.NewGreenResidentAsync(village, "周正常");
        var (yellow, yellowClient) = await fixture.NewGreenResidentAsync(village, "吴复测");
        Assert.True((await yellowClient.PostAsJsonAsync("/api/residents/me/clock-in", new ClockInRequest(38.2m, []))).IsSuccessStatusCode);

        var (context, page) = await PhoneAsync();
        await using var _ = context;
        await page.GotoAsync("/checkpoint.html");
        await Expect(page.GetByTestId("view-signin")).ToBeVisibleAsync();
        await AssertAxeCleanAsync(page, "the sign-in");
        await SignInAsync(page, username, Password);

        // Straight onto their checkpoint: no list, no developer paste form, no "change checkpoint", a compact header.
        await Expect(page.GetByTestId("view-scan")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cp-name")).ToHaveAttributeAsync("data-id", id);
        await Expect(page.GetByTestId("view-pick")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("dev-tools")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("token")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("cp-change")).ToBeHiddenAsync();
        var header = await page.Locator("header.topbar").BoundingBoxAsync();
        Assert.True(header!.Height <= 56, $"the header is {header.Height} px high");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await Expect(page.GetByTestId("temperature-hint")).ToContainTextAsync("37.3");

        var result = page.GetByTestId("result");
        // An unknown person (a valid ID number nobody registered): refused, in the block, not the alert.
        await page.GetByTestId("id-number").FillAsync(ResidentFlow.NewIdNumber());
        await page.GetByTestId("id-submit").ClickAsync();
        await Expect(result).ToBeVisibleAsync();
        await Expect(result).ToHaveAttributeAsync("data-outcome", "Refused");
        await Expect(result).ToHaveAttributeAsync("data-refusal", "resident.unknown");
        await Expect(page.GetByTestId("result-decision")).ToContainTextAsync("拒绝通行");
        await Expect(page.GetByTestId("result-reason")).ToContainTextAsync("此身份证号未登记");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(page, "checkpoint-decision-01-unknown-person");

        // A mistyped ID number (wrong check character): check by the ID card, the server's field reason beneath.
        await page.GetByTestId("id-number").FillAsync(green[..17] + (green[17] == '0' ? '1' : '0'));
        await page.GetByTestId("id-submit").ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-outcome", "IdCheck");
        await Expect(page.GetByTestId("result-decision")).ToContainTextAsync("核验身份证");
        await Expect(page.GetByTestId("result-reason")).ToHaveAttributeAsync("data-code", "idNumber");
        await Expect(page.GetByTestId("result-detail")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("count-passes")).ToHaveAttributeAsync("data-value", "0");

        // A bad temperature is a field error and sends nothing; a fever refuses a green code.
        await page.GetByTestId("temperature").FillAsync("3.65");
        await page.GetByTestId("id-number").FillAsync(green);
        await page.GetByTestId("id-submit").ClickAsync();
        await Expect(page.GetByTestId("temperature-error")).ToContainTextAsync("36.5");
        await Expect(page.GetByTestId("temperature")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByTestId("count-passes")).ToHaveAttributeAsync("data-value", "0");
        await page.GetByTestId("temperature").FillAsync("38.5");
        await page.GetByTestId("id-submit").ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-reason", "fever.refused");
        await Expect(result).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "Refused");
        await Expect(page.GetByTestId("result-decision")).ToContainTextAsync("拒绝通行");
        await Expect(page.GetByTestId("result-reason")).ToContainTextAsync("发热门诊");
        await Expect(page.GetByTestId("result-temperature")).ToHaveAttributeAsync("data-value", "38.5");
        await Expect(page.GetByTestId("temperature")).ToHaveValueAsync("");
        await Expect(page.GetByTestId("count-refused")).ToHaveAttributeAsync("data-value", "1");
        await Shot(page, "checkpoint-decision-02-fever");

        // A yellow code: "check temperature"; the guard measures and registers the same person again with the reading.
        await page.GetByTestId("id-number").FillAsync(yellow);
        await page.GetByTestId("id-submit").ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-colour", "Yellow");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "Check");
        await Expect(page.GetByTestId("result-retemp")).ToBeVisibleAsync();
        await page.GetByTestId("result-retemp").ClickAsync();
        await Expect(page.GetByTestId("temperature-error")).ToContainTextAsync("请先填入测得的体温");
        fixture.Factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await page.GetByTestId("temperature").FillAsync("37.9");
        await page.GetByTestId("result-retemp").ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-reason", "fever.refused");
        await Expect(page.GetByTestId("result-temperature")).ToHaveAttributeAsync("data-value", "37.9");
        await Expect(page.GetByTestId("result-retemp")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("count-passes")).ToHaveAttributeAsync("data-value", "2"); // the repeat is not a second pass
        await Shot(page, "checkpoint-decision-03-yellow-then-fever");

        await AssertAxeCleanAsync(page, "the scan view with a decision");
        var passes = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/checkpoints/{id}/passes");
        Assert.Contains(passes.GetProperty("items").EnumerateArray(),
            p => p.GetProperty("reasonCode").GetString() == "fever.refused" && p.GetProperty("temperature").GetDecimal() == 38.5m);
    }

    [Fact]
    public async Task An_administrator_picks_the_checkpoint_from_the_list_and_a_tampered_or_expired_QR_is_a_decision()
    {
        var (id, village, _) = await NewCheckpointAsync("南门检测点");
        var (_, resident) = await fixture.NewGreenResidentAsync(village, "郑扫码");
        var admin = await fixture.NewStaffAsync("admin", "411200", "admin-decide-1234");

        var (context, page) = await PhoneAsync();
        await using var _ = context;
        await SignInAsync(page, admin.Username, admin.Password);

        // The list: filter by the id, pick it; the checkpoint opens and the address remembers it.
        await Expect(page.GetByTestId("view-pick")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cp-option").First).ToBeVisibleAsync();
        await AssertAxeCleanAsync(page, "the administrators' checkpoint list");
        await page.GetByTestId("cp-filter").FillAsync(id);
        await Expect(page.GetByTestId("cp-option")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("cp-option")).ToContainTextAsync("南门检测点");
        await Shot(page, "checkpoint-decision-04-admin-list");
        await page.GetByTestId("cp-option").ClickAsync();
        await Expect(page.GetByTestId("view-scan")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cp-name")).ToHaveAttributeAsync("data-id", id);
        Assert.EndsWith("#" + id, page.Url);
        await Expect(page.GetByTestId("cp-change")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("dev-tools")).ToBeVisibleAsync();
        // The header keeps its title and fits the phone: no sideways scroll, at most ~56 px high.
        await Expect(page.Locator("header.topbar h1")).ToBeVisibleAsync();
        Assert.True((await page.Locator("header.topbar").BoundingBoxAsync())!.Height <= 56);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");

        // A QR shown earlier (expired by the time it is registered), then a live one with its content altered.
        var expired = await TokenAsync(resident);
        fixture.Factory.Clock.Advance(TimeSpan.FromMinutes(6));
        var tampered = Tamper(await TokenAsync(resident));

        await page.GetByTestId("dev-tools").Locator("summary").ClickAsync();
        var result = page.GetByTestId("result");
        await PasteAsync(page, tampered);
        await Expect(result).ToHaveAttributeAsync("data-refusal", "token.altered");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "Refused");
        await Expect(page.GetByTestId("result-decision")).ToContainTextAsync("拒绝通行");
        await Expect(page.GetByTestId("result-reason")).ToContainTextAsync("二维码内容被篡改");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Shot(page, "checkpoint-decision-05-tampered");

        await PasteAsync(page, expired);
        await Expect(result).ToHaveAttributeAsync("data-refusal", "token.expired");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "IdCheck");
        await Expect(page.GetByTestId("result-decision")).ToContainTextAsync("核验身份证");
        await Expect(page.GetByTestId("result-reason")).ToContainTextAsync("二维码已过期");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("count-passes")).ToHaveAttributeAsync("data-value", "0");
        await Shot(page, "checkpoint-decision-06-expired");

        // Back to the list.
        await page.GetByTestId("cp-change").ClickAsync();
        await Expect(page.GetByTestId("view-pick")).ToBeVisibleAsync();
    }

    private static async Task PasteAsync(IPage page, string token)
    {
        await page.GetByTestId("token").FillAsync(token);
        await page.GetByTestId("token-submit").ClickAsync();
    }

    private static async Task<string> TokenAsync(HttpClient resident) =>
        (await resident.GetFromJsonAsync<JsonElement>("/api/residents/me/code/qr")).GetProperty("token").GetString()!;

    /// <summary>The same genuine token with its colour field changed: its issuer signature still holds, its content one not.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(FromBase64Url(parts[2])).Split('|');
        payload[1] = payload[1] == "1" ? "3" : "1";
        parts[2] = Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('|', payload))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return string.Join('.', parts);
    }

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }

    private async Task AssertAxeCleanAsync(IPage page, string what)
    {
        var results = await page.RunAxe(); // every rule axe runs by default (WCAG A/AA and best practices)
        var bad = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var v in results.Violations)
            Log($"axe {what}: {v.Impact} {v.Id}: {string.Join(" | ", v.Nodes.Select(n => n.Html))}");
        Assert.True(bad.Count == 0, $"axe on {what}: " + string.Join("; ", bad.Select(v => $"{v.Id} ({v.Impact}): {string.Join(" | ", v.Nodes.Select(n => n.Html))}")));
    }

    private async Task Shot(IPage page, string name)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath(name), FullPage = true });
        Log($"screenshot {fixture.ScreenshotPath(name)}");
    }

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* after the test ended */ }
    }
}
