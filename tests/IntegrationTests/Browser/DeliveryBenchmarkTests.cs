using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>A theory that runs only when SANMENXIA_DELIVERY_BENCH=1: a measurement for docs/benchmarks.md, not a check.</summary>
public sealed class DeliveryBenchmarkTheoryAttribute : TheoryAttribute
{
    public const string Variable = "SANMENXIA_DELIVERY_BENCH";

    public DeliveryBenchmarkTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"A benchmark: run with {Variable}=1 (docs/benchmarks.md, page delivery).";
    }
}

/// <summary>
/// The resident portal's first visit on Chromium's "Slow 3G" (DevTools' preset: 2 s round trip, 400 kbit/s each way,
/// set with CDP Network.emulateNetworkConditions): the bytes that crossed the network and the time from navigation to
/// the QR code on screen, for a signed-in green resident with an empty cache. "identity" asks for uncompressed files
/// (Accept-Encoding: identity, as the server answered every browser before build-time compression); "compressed" is
/// what a browser gets now. Printed, and appended to artifacts/delivery-benchmark.txt.
/// </summary>
[Collection("browser")]
public sealed class DeliveryBenchmarkTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [DeliveryBenchmarkTheory]
    [InlineData("identity")]
    [InlineData("compressed")]
    public async Task The_resident_portal_shows_the_qr_on_slow_3g(string encoding)
    {
        var state = await fixture.SignInAsync(PageRole.Resident);
        await using var context = await fixture.NewContextAsync(state, Viewport.Phone.Width, Viewport.Phone.Height);
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.setCacheDisabled", new Dictionary<string, object> { ["cacheDisabled"] = true });
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = 2000, ["downloadThroughput"] = 50_000, ["uploadThroughput"] = 50_000,
        });
        if (encoding == "identity")
            await cdp.SendAsync("Network.setExtraHTTPHeaders", new Dictionary<string, object> { ["headers"] = new Dictionary<string, string> { ["Accept-Encoding"] = "identity" } });
        long bytes = 0, requests = 0;
        cdp.Event("Network.loadingFinished").OnEvent += (_, e) =>
        {
            if (e is JsonElement json && json.TryGetProperty("encodedDataLength", out var length)) Interlocked.Add(ref bytes, (long)length.GetDouble());
            Interlocked.Increment(ref requests);
        };

        var clock = Stopwatch.StartNew();
        await page.GotoAsync("/index.html", new PageGotoOptions { Timeout = 180_000 });
        await Expect(page.Locator("[data-testid='my-code'] [data-testid='qr'] svg")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        var toQr = clock.Elapsed;

        var line = $"{DateTime.UtcNow:u} slow-3G {encoding}: QR after {toQr.TotalSeconds:F1} s, {Interlocked.Read(ref bytes):N0} bytes in {Interlocked.Read(ref requests)} responses, "
            + $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[..3].Aggregate((a, b) => a + " " + b)}";
        output.WriteLine(line);
        var file = Path.Combine(BrowserFixture.Root, "artifacts", "delivery-benchmark.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.AppendAllTextAsync(file, line + Environment.NewLine);
        Assert.True(Interlocked.Read(ref bytes) > 0, "nothing was measured");
    }
}
