using System.Collections.Concurrent;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Issue 17: the API reference at /docs works offline. Every request that leaves this machine is recorded and refused;
/// the page still shows the API, makes no such request, and offers no cloud feature ("Ask AI", "Deploy").
/// </summary>
[Collection("browser")]
public sealed class DocsOfflineTests(BrowserFixture fixture, ITestOutputHelper output)
{
    static DocsOfflineTests() => SetDefaultExpectTimeout(30_000);

    [Fact]
    public async Task The_api_reference_loads_with_no_request_beyond_this_machine_and_no_cloud_buttons()
    {
        await using var context = await fixture.NewContextAsync();
        var outside = new ConcurrentQueue<string>();
        await context.RouteAsync("**/*", async route =>
        {
            if (Uri.TryCreate(route.Request.Url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Scheme is "data" or "blob"))
                await route.ContinueAsync();
            else
            {
                outside.Enqueue(route.Request.Url);
                await route.AbortAsync();
            }
        });
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(1366, 768);
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");

        await page.GotoAsync("/docs", new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = 60_000 });
        // The reference rendered from the local OpenAPI document: its title and an operation of ours.
        await Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("Sanmenxia\\.Orleans API"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "get /api/time" }).First).ToBeAttachedAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("docs-01-offline") });

        Assert.True(outside.IsEmpty, "Requests beyond this machine: " + string.Join(", ", outside));
        await Expect(page.GetByText("Ask AI")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Deploy" })).ToHaveCountAsync(0);
        await Expect(page.GetByText("Deploy", new() { Exact = true })).ToHaveCountAsync(0);
    }
}
