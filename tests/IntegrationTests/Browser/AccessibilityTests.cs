using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Xunit.Abstractions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) over every page of <see cref="SitePages"/>, each in its role's real state and at
/// its users' screen size: no violation of impact "serious" or "critical" (issue 17). A failure names, for each
/// violation, the rule, the page and every offending node's selector, so the owner of the page can go straight to it.
/// </summary>
[Collection("browser")]
public sealed class AccessibilityTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] Blocking = ["serious", "critical"];

    [Theory]
    [MemberData(nameof(SitePages.Names), MemberType = typeof(SitePages))]
    public async Task A_page_has_no_serious_or_critical_accessibility_violations(string name)
    {
        var site = SitePages.Named(name);
        var viewport = site.Viewports[0];
        var (context, page, errors) = await fixture.OpenAsync(site, viewport);
        await using var _ = context;

        var result = await page.RunAxe();

        var blocking = result.Violations.Where(v => Blocking.Contains(v.Impact)).ToList();
        foreach (var minor in result.Violations.Except(blocking))
            output.WriteLine($"{site.Name}: {minor.Impact} {minor.Id} ({minor.Nodes.Length} nodes), not blocking");
        Assert.Empty(errors);
        Assert.True(blocking.Count == 0, Describe(site, viewport, blocking));
    }

    /// <summary>One line per violation and one per node: rule, impact, help, page, selector and axe's summary.</summary>
    public static string Describe(SitePage site, Viewport viewport, IReadOnlyList<AxeResultItem> violations)
    {
        var text = new StringBuilder($"{violations.Count} serious or critical accessibility violation(s) on {site.Name} ({site.Path} as {site.Role}, {viewport}, owner: {site.Owner}):\n");
        foreach (var v in violations)
        {
            text.Append($"- {v.Id} [{v.Impact}] {v.Help} ({v.HelpUrl})\n");
            foreach (var node in v.Nodes)
                text.Append($"    {site.Name} {node.Target}: {Summary(node)}\n");
        }
        return text.ToString();
    }

    private static string Summary(AxeResultNode node) =>
        string.Join("; ", (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []).Select(c => c.Message).Where(m => !string.IsNullOrEmpty(m)));
}
