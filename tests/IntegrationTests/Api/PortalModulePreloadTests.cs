using System.Text.RegularExpressions;
using Sanmenxia.IntegrationTests.Browser;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// The resident portal names its whole module graph in &lt;link rel="modulepreload"&gt; tags, so a phone on a slow network
/// fetches every script at once instead of discovering them one import level per round trip (docs/delivery.md). The list
/// is written by hand; this test keeps it equal to the graph the scripts actually import.
/// </summary>
public sealed partial class PortalModulePreloadTests
{
    private static readonly string WebRoot = Path.Combine(BrowserFixture.Root, "src", "Api", "wwwroot");

    [Fact]
    public void The_portal_preloads_exactly_the_modules_its_entry_script_imports()
    {
        var html = File.ReadAllText(Path.Combine(WebRoot, "index.html"));
        var entry = Assert.Single(EntryScript().Matches(html)).Groups["src"].Value;
        var preloaded = Preload().Matches(html).Select(m => m.Groups["href"].Value).ToHashSet(StringComparer.Ordinal);

        var graph = ImportGraph(entry);
        graph.Remove(entry);

        Assert.NotEmpty(graph);
        Assert.Empty(graph.Except(preloaded).Order());
        Assert.Empty(preloaded.Except(graph).Order());
    }

    /// <summary>Every module reachable from <paramref name="entry"/> by static "./x.js" imports and re-exports.</summary>
    private static HashSet<string> ImportGraph(string entry)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([entry]);
        while (queue.TryDequeue(out var module))
        {
            if (!found.Add(module)) continue;
            var source = File.ReadAllText(Path.Combine(WebRoot, module));
            var folder = Path.GetDirectoryName(module)!;
            foreach (Match import in StaticImport().Matches(source))
                queue.Enqueue(Path.Combine(folder, import.Groups["file"].Value).Replace('\\', '/'));
        }
        return found;
    }

    [GeneratedRegex("""<script type="module" src="(?<src>[^"]+)"></script>""")]
    private static partial Regex EntryScript();

    [GeneratedRegex("""<link rel="modulepreload" href="(?<href>[^"]+)">""")]
    private static partial Regex Preload();

    [GeneratedRegex("""(?:import|export)\s*(?:[^;'"]*?\sfrom\s*)?['"]\./(?<file>[\w.-]+\.js)['"]""")]
    private static partial Regex StaticImport();
}
