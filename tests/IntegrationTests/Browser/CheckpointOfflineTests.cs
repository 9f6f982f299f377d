using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Issue 18 in headless Chromium: the checkpoint page, opened once online (service worker installed, keys and policy kept),
/// goes offline (Playwright's offline mode), verifies QRs on the device (valid, expired and forged told apart), records a
/// typed ID number with the colour unknown, keeps the queue across a reload, and uploads it when back online: the server
/// counts each pass once and the dashboard shows them.
/// </summary>
[Collection("browser")]
public sealed class CheckpointOfflineTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "checkpoint-offline-1234";

    static CheckpointOfflineTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task Offline_the_page_verifies_on_the_device_queues_across_a_reload_and_uploads_once_online()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var id = BrowserFixtureHelpers.NewCheckpointId(village);
        Assert.Equal(HttpStatusCode.Created,
            (await fixture.Admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "村口检测点", village, null, null))).StatusCode);
        var username = $"cpo-{Guid.NewGuid():N}"[..20];
        (await fixture.Admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, Password, "测试 离线检测点", "checkpoint", village, id))).EnsureSuccessStatusCode();
        var (_, first) = await fixture.NewGreenResidentAsync(village, "周一");
        var (idTwo, second) = await fixture.NewGreenResidentAsync(village, "吴二");

        // One QR shown long ago (expired by the time it is scanned), then the live ones.
        var expired = await TokenAsync(first);
        fixture.Factory.Clock.Advance(TimeSpan.FromMinutes(6));
        var valid = await TokenAsync(first);
        var validToo = await TokenAsync(second);
        using var own = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = fixture.Factory.Clock.GetUtcNow();
        var forged = SignedCodeToken.Issue(own, valid.Split('.')[1], "rforger", CodeColour.Green, "green.clocked-in", now, TimeSpan.FromMinutes(5),
            DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime));

        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Factory.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 412, Height = 915 },
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ServiceWorkers = ServiceWorkerPolicy.Allow, // the point of this test
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        // The developer's switch shows the "paste a QR token" form to this guard (it stands in for the camera here).
        await page.AddInitScriptAsync("localStorage.setItem('smx.checkpoint.dev', '1')");
        page.PageError += (_, error) => Log($"page error: {error}");
        page.Console += (_, m) => { if (m.Type is "error") Log($"console: {m.Text}"); };

        // Online once: sign in, the checkpoint opens, the service worker takes control and the keys are kept.
        await page.GotoAsync("/checkpoint.html");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await page.GetByTestId("staff-username").FillAsync(username);
        await page.GetByTestId("staff-password").FillAsync(Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-scan")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cp-name")).ToHaveAttributeAsync("data-id", id);
        await Expect(page.GetByTestId("offline-banner")).ToBeHiddenAsync();
        await page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null");
        await page.WaitForFunctionAsync("async () => (await caches.keys()).length > 0");

        // The network goes; every scan is decided on the device.
        await context.SetOfflineAsync(true);
        await page.GetByTestId("dev-tools").Locator("summary").ClickAsync();
        await ScanAsync(page, valid);
        var result = page.GetByTestId("result");
        await Expect(result).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "Allowed");
        await Expect(result).ToHaveAttributeAsync("data-offline", "true");
        await Expect(page.GetByTestId("offline-banner")).ToHaveAttributeAsync("data-pending", "1");
        await Expect(page.GetByTestId("offline-banner")).ToContainTextAsync("离线 — 1 条待上传");
        await Expect(page.GetByTestId("offline-banner")).Not.ToContainTextAsync("offline");
        await Shot(page, "checkpoint-offline-01-valid");

        // Refusals decided on the device are decisions in the block too (issue 17).
        await ScanAsync(page, expired);
        await Expect(result).ToHaveAttributeAsync("data-refusal", "token.expired");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "IdCheck");
        await ScanAsync(page, forged);
        await Expect(result).ToHaveAttributeAsync("data-refusal", "token.forged");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "Refused");
        await Shot(page, "checkpoint-offline-02-forged");
        await Expect(page.GetByTestId("offline-banner")).ToHaveAttributeAsync("data-pending", "1");

        await ScanAsync(page, validToo);
        await Expect(result).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("offline-banner")).ToHaveAttributeAsync("data-pending", "2");
        // A typed ID number: no colour can be looked up; recorded "checked by ID, colour unknown".
        await page.GetByTestId("direction-out").ClickAsync();
        await page.GetByTestId("id-number").FillAsync(idTwo);
        await page.GetByTestId("id-submit").ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-colour", "Unknown");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "Check");
        await Expect(page.GetByTestId("offline-banner")).ToHaveAttributeAsync("data-pending", "3");
        await Shot(page, "checkpoint-offline-03-id-colour-unknown");

        // A reload with no network: the service worker serves the page, the queue is still there.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("view-scan")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("offline-banner")).ToHaveAttributeAsync("data-pending", "3");
        await Expect(page.GetByTestId("offline-banner")).ToBeVisibleAsync();
        Assert.Equal(0, await PassesTodayAsync(id)); // nothing reached the server yet
        var cityBefore = await CityCheckpointPassesAsync();

        // Back online: the queue goes up, the server counts each pass once, the page shows its recount.
        await context.SetOfflineAsync(false);
        await Expect(page.GetByTestId("offline-banner")).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("count-passes")).ToHaveAttributeAsync("data-value", "3");
        Assert.Equal(3, await PassesTodayAsync(id));
        var passes = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/checkpoints/{id}/passes");
        var items = passes.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.True(i.GetProperty("offline").GetBoolean()));
        Assert.Equal("ColourUnknown", Assert.Single(items, i => i.GetProperty("method").GetString() == "IdNumber").GetProperty("review").GetString());
        await Shot(page, "checkpoint-offline-04-uploaded");

        // The dashboard catches up: the city's checkpoint passes today include the three.
        var commander = await fixture.NewStaffAsync("commander", "411200", "password-1234");
        var dashboard = await context.NewPageAsync();
        await dashboard.GotoAsync("dashboard.html");
        await dashboard.GetByTestId("staff-username").FillAsync(commander.Username);
        await dashboard.GetByTestId("staff-password").FillAsync(commander.Password);
        await dashboard.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(dashboard.GetByTestId("kpi-checkpointPasses-value"))
            .ToHaveAttributeAsync("data-value", (cityBefore + 3).ToString(), new() { Timeout = 30_000 });
    }

    private static async Task ScanAsync(IPage page, string token)
    {
        await page.GetByTestId("token").FillAsync(token);
        await page.GetByTestId("token-submit").ClickAsync();
    }

    private async Task<int> PassesTodayAsync(string id) =>
        (await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/checkpoints/{id}")).GetProperty("today").GetProperty("passes").GetInt32();

    private async Task<int> CityCheckpointPassesAsync() => await Eventually.Settles(
        async () => (await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/regions/411200/counts"))
            .GetProperty("counts").GetProperty("checkpoints").GetProperty("passesToday").GetInt32(),
        _ => true, stableFor: TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20), "the city's checkpoint passes to settle");

    private static async Task<string> TokenAsync(HttpClient resident) =>
        (await resident.GetFromJsonAsync<JsonElement>("/api/residents/me/code/qr")).GetProperty("token").GetString()!;

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
