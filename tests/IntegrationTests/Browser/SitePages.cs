using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>A screen size a page is used at (a phone, a laptop, a wall screen).</summary>
public sealed record Viewport(int Width, int Height)
{
    public static readonly Viewport Phone = new(390, 844);
    public static readonly Viewport SmallPhone = new(320, 568);
    public static readonly Viewport Laptop = new(1366, 768);
    public static readonly Viewport Wall = new(1920, 1080);

    public override string ToString() => $"{Width}x{Height}";
}

/// <summary>
/// One page in one role's real state: where it is, who is signed in, what must be visible before it counts as open
/// (<paramref name="Ready"/>, a CSS selector), what a user does to get there once it is open (<paramref name="Open"/>),
/// the screen sizes it is used at (the first is the one the accessibility check uses) and who owns the page this session
/// (named in failure messages).
/// </summary>
public sealed record SitePage(string Name, string Path, PageRole Role, string Ready, Viewport[] Viewports, string Owner,
    Func<IPage, Task>? Open = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// Every page of the site, each in the state its users see it in: the accessibility suite (<see cref="AccessibilityTests"/>)
/// and the screenshots (<see cref="ScreenshotTests"/>) walk this list. A new page or state is one more line here.
/// </summary>
public static class SitePages
{
    private static readonly Viewport[] Resident = [Viewport.Phone, Viewport.SmallPhone];
    private static readonly Viewport[] Desk = [Viewport.Laptop];

    public static readonly IReadOnlyList<SitePage> All =
    [
        new("index-signed-out", "/index.html", PageRole.Anonymous, "[data-testid='view-signin']", Resident, "resident portal"),
        new("index-resident-code", "/index.html", PageRole.Resident, "[data-testid='my-code'] [data-testid='qr'] svg", Resident, "resident portal"),
        new("checkpoint-guard", "/checkpoint.html", PageRole.Checkpoint, "[data-testid='view-scan']", [Viewport.Phone], "checkpoint console"),
        new("checkpoint-admin-pick", "/checkpoint.html", PageRole.Admin, "[data-testid='view-pick'], [data-testid='view-scan']", [Viewport.Phone], "checkpoint console"),
        new("staff-consoles-village", "/staff.html", PageRole.Village, "[data-testid='consoles'] [data-console='village']:not([hidden])", Desk, "staff consoles"),
        new("staff-consoles-admin", "/staff.html", PageRole.Admin, "[data-testid='consoles'] [data-console='audit']:not([hidden])", Desk, "staff consoles"),
        new("staff-village", "/staff.html#/village", PageRole.Village, "[data-testid='village-panel']", Desk, "village console"),
        new("staff-key-persons", "/staff.html#/village", PageRole.Village, "[data-testid='register-pane'][data-loaded='true']", Desk, "key-person register",
            page => page.GetByTestId("tab-register").ClickAsync()),
        new("staff-break-glass", "/staff.html#/break-glass", PageRole.Village, "body[data-ready='true']", Desk, "break-the-glass screen"),
        new("staff-tickets-hotline", "/staff.html#/tickets", PageRole.Hotline, "body[data-ready='true']", Desk, "tickets console"),
        new("staff-tickets-commander", "/staff.html#/tickets", PageRole.Commander, "body[data-ready='true']", Desk, "tickets console"),
        new("trips-commander", "/trips.html", PageRole.Commander, "[data-testid='view-main']", Desk, "trips pages"),
        new("dashboard-commander", "/dashboard.html", PageRole.Commander, "[data-testid='view-dashboard']", [Viewport.Wall, Viewport.Laptop], "command dashboard"),
        new("dashboard-big-screen", "/dashboard.html?screen=big", PageRole.Commander, "body[data-screen='big'] [data-testid='figures']", [Viewport.Wall], "command dashboard"),
        new("admin-console", "/admin.html", PageRole.Admin, "[data-testid='create-jurisdiction'][data-loaded='true']", Desk, "administration console"),
        new("audit-auditor", "/audit.html", PageRole.Auditor, "[data-testid='view-main']", Desk, "audit reader"),
    ];

    public static IEnumerable<object[]> Names() => All.Select(p => new object[] { p.Name });

    public static SitePage Named(string name) => All.Single(p => p.Name == name);

    /// <summary>Opens the page in a new context of the fixture's browser, in the page's role and at the viewport; waits until it is ready.</summary>
    public static async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> OpenAsync(
        this BrowserFixture fixture, SitePage site, Viewport viewport)
    {
        var state = await fixture.SignInAsync(site.Role);
        var context = await fixture.NewContextAsync(state, viewport.Width, viewport.Height);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(site.Path);
        if (site.Open is not null)
        {
            await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
            await site.Open(page);
        }
        await Expect(page.Locator(site.Ready).First).ToBeVisibleAsync();
        // Web fonts and images settle before a check or a picture (no fixed sleep: the page says when).
        await page.EvaluateAsync("() => document.fonts.ready.then(() => true)");
        return (context, page, errors);
    }
}
