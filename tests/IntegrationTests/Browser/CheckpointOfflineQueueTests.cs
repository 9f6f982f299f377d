using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Residents;
using Sanmenxia.HealthCode;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Issue 18 at size: a thousand tokens verified on the device agree with the server, and a 1,000-pass offline queue is
/// uploaded whole, in batches, and counted once. Prints the device's verification time and the upload rate (recorded in
/// docs/benchmarks.md, Session 5); asserts only what must hold, never a timing.
/// </summary>
[Collection("browser")]
public sealed class CheckpointOfflineQueueTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "checkpoint-queue-1234";
    private const int Passes = 1000;

    static CheckpointOfflineQueueTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task A_thousand_tokens_verify_on_the_device_and_a_thousand_pass_queue_uploads_once()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var id = BrowserFixtureHelpers.NewCheckpointId(village);
        Assert.Equal(HttpStatusCode.Created,
            (await fixture.Admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "批量检测点", village, null, null))).StatusCode);
        var username = $"cpq-{Guid.NewGuid():N}"[..20];
        (await fixture.Admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, Password, "测试 批量检测点", "checkpoint", village, id))).EnsureSuccessStatusCode();
        // One registered resident; the server's own issuer signs a thousand live QR tokens for them.
        var (_, resident) = await fixture.NewGreenResidentAsync(village, "郑十");
        var sample = (await resident.GetFromJsonAsync<JsonElement>("/api/residents/me/code/qr")).GetProperty("token").GetString()!;
        var residentKey = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(sample.Split('.')[2])).Split('|')[0];
        var qr = fixture.Factory.Services.GetRequiredService<HealthCodeQr>();
        var tokens = new List<string>(Passes);
        for (var i = 0; i < Passes; i++) tokens.Add((await qr.IssueAsync(residentKey, CodeColour.Green, "green.clocked-in")).Token);

        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Factory.BaseAddress.ToString(), Locale = "zh-CN", TimezoneId = "Asia/Shanghai", ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => Log($"page error: {error}");
        await page.GotoAsync("/checkpoint.html");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await page.GetByTestId("staff-username").FillAsync(username);
        await page.GetByTestId("staff-password").FillAsync(Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("view-scan")).ToBeVisibleAsync();

        // On the device: import the published keys, then verify the thousand tokens one after another (WebCrypto).
        var verified = await page.EvaluateAsync<JsonElement>("""
            async tokens => {
              const { importKeys, verifyToken } = await import('/js/code-verify.js');
              const keySet = await (await fetch('/.well-known/sanmenxia-code-keys.json')).json();
              const keys = await importKeys(keySet);
              const offset = new Date((await (await fetch('/api/time')).json()).now).getTime() - Date.now();
              let valid = 0;
              const started = performance.now();
              for (const token of tokens) if ((await verifyToken(token, keys, Date.now() + offset, keySet.timeZone)).status === 'valid') valid++;
              return { valid, ms: performance.now() - started };
            }
            """, tokens);
        Assert.Equal(Passes, verified.GetProperty("valid").GetInt32());
        var verifyMs = verified.GetProperty("ms").GetDouble();
        Log($"device verification: {Passes} tokens in {verifyMs:F0} ms = {verifyMs * 1000 / Passes:F0} µs per token");

        // A thousand passes queued offline (as the page queues them), then the network comes back.
        await context.SetOfflineAsync(true);
        await page.EvaluateAsync("""
            async ({ tokens, checkpointId }) => {
              const store = await import('/js/offline-store.js');
              const { serverNow } = await import('/js/checkpoint-offline.js');
              const start = serverNow();
              for (let i = 0; i < tokens.length; i++)
                await store.enqueue({ clientId: crypto.randomUUID(), checkpointId, direction: i % 2 ? 'Out' : 'In',
                  scannedAt: new Date(start + i).toISOString(), qrToken: tokens[i], method: 'Qr' });
            }
            """, new { tokens, checkpointId = id });
        var upload = Stopwatch.StartNew();
        await context.SetOfflineAsync(false);
        await Expect(page.GetByTestId("count-passes")).ToHaveAttributeAsync("data-value", Passes.ToString(), new() { Timeout = 120_000 });
        upload.Stop();
        await Expect(page.GetByTestId("offline-banner")).ToBeHiddenAsync();
        Log($"upload: {Passes} passes in {upload.Elapsed.TotalSeconds:F2} s = {Passes / upload.Elapsed.TotalSeconds:F0} passes/s");
        var view = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/checkpoints/{id}");
        Assert.Equal(Passes, view.GetProperty("today").GetProperty("passes").GetInt32());
    }

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* after the test ended */ }
    }
}
