using Microsoft.Playwright;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// A theory that runs only when SANMENXIA_SCREENSHOTS=1 (./sanmenxia screenshots sets it): the pictures are for the
/// README, not a check, so `./sanmenxia test` lists them as skipped.
/// </summary>
public sealed class ScreenshotTheoryAttribute : TheoryAttribute
{
    public const string Variable = "SANMENXIA_SCREENSHOTS";

    public ScreenshotTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"Writes docs/screenshots/: run with {Variable}=1 (./sanmenxia screenshots).";
    }
}

/// <summary>
/// docs/screenshots/&lt;page&gt;-&lt;width&gt;x&lt;height&gt;.png: every page of <see cref="SitePages"/> in its role's state
/// at each of its screen sizes, the whole page (the part below the fold too), animations stopped. The README links them.
/// </summary>
[Collection("browser")]
public sealed class ScreenshotTests(BrowserFixture fixture)
{
    public static string Directory => Path.Combine(BrowserFixture.Root, "docs", "screenshots");

    public static IEnumerable<object[]> Cases() =>
        SitePages.All.SelectMany(p => p.Viewports.Select(v => new object[] { p.Name, v.Width, v.Height }));

    public static string FileName(string page, int width, int height) => $"{page}-{width}x{height}.png";

    [ScreenshotTheory]
    [MemberData(nameof(Cases))]
    public async Task A_page_is_pictured_at_its_screen_size(string name, int width, int height)
    {
        var site = SitePages.Named(name);
        var (context, page, _) = await fixture.OpenAsync(site, new Viewport(width, height));
        await using var _ = context;
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, FileName(name, width, height));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        Assert.True(new FileInfo(path).Length > 1000, $"{path} is empty");
    }
}
