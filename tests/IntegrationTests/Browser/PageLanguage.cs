using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// What a page says, read as a user reads it, to check that it speaks one language (i18n.js): the rendered text of the
/// body (what is displayed, as innerText gives it), the document's title and the aria-label, placeholder and title
/// attributes of displayed elements; the language switch ("中文 | English", each name in its own language) is left out.
/// </summary>
public static partial class PageLanguage
{
    /// <summary>Words that are English in both languages: names, units and abbreviations a Chinese page may show.</summary>
    private static readonly HashSet<string> Allowed = new(StringComparer.OrdinalIgnoreCase)
    {
        "Orleans", "Sanmenxia", "SignalR", "ECharts", "Open311", "QR", "ID", "CSV", "API", "JSON", "SMS", "OK", "ms",
        "km", "min", "h", "s", "C", "N", "PDF", "Scalar", "Chromium",
    };

    /// <summary>
    /// Everything the page (or only the elements matching the CSS selector <paramref name="within"/>) displays or
    /// announces now, one string per line, element or attribute.
    /// </summary>
    public static async Task<IReadOnlyList<string>> VisibleTextsAsync(IPage page, string? within = null)
    {
        var texts = await page.EvaluateAsync<string[]>("""
            within => {
              // The switch names both languages by design; translate="no" marks what people typed (an audit row's reason).
              const toggle = [...document.querySelectorAll('[data-testid="lang-switch"], [translate="no"]')];
              const before = toggle.map(el => el.hidden);
              for (const el of toggle) el.hidden = true;
              try {
                const shown = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
                const roots = within ? [...document.querySelectorAll(within)] : [document.body];
                const out = within ? [] : [document.title];
                for (const root of roots) out.push(root.innerText);
                for (const el of roots.flatMap(root => [root, ...root.querySelectorAll('[aria-label], [placeholder], [title]')])) {
                  if (!shown(el)) continue;
                  for (const name of ['aria-label', 'placeholder', 'title']) {
                    const value = el.getAttribute(name);
                    if (value) out.push(value);
                  }
                }
                return out;
              } finally {
                toggle.forEach((el, i) => { el.hidden = before[i]; });
              }
            }
            """, within);
        return texts.SelectMany(t => t.Split('\n')).Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
    }

    /// <summary>Runs of three or more English words (allowed words do not count) in what the page shows.</summary>
    public static async Task<IReadOnlyList<string>> EnglishRunsAsync(IPage page) =>
        (await VisibleTextsAsync(page)).SelectMany(EnglishRuns).Distinct().ToList();

    /// <summary>Lines of what the page shows that hold Chinese characters.</summary>
    public static async Task<IReadOnlyList<string>> ChineseLinesAsync(IPage page, string? within = null) =>
        (await VisibleTextsAsync(page, within)).Where(t => Han().IsMatch(t)).Distinct().ToList();

    /// <summary>"中文 · English" pairs: Chinese, the " · " separator, then an English word.</summary>
    public static async Task<IReadOnlyList<string>> JoinedPairsAsync(IPage page) =>
        (await VisibleTextsAsync(page)).Where(t => JoinedPair().IsMatch(t)).Distinct().ToList();

    /// <summary>Elements marked lang="en" that show text, the language switch's own button aside.</summary>
    public static async Task<IReadOnlyList<string>> EnglishElementsAsync(IPage page) =>
        await page.EvaluateAsync<string[]>("""
            () => [...document.body.querySelectorAll('[lang="en"], [lang^="en-"]')]
              .filter(el => !el.closest('[data-testid="lang-switch"]') && el.textContent.trim())
              .map(el => el.outerHTML.slice(0, 200))
            """);

    /// <summary>The runs of three or more English words in one text.</summary>
    public static IEnumerable<string> EnglishRuns(string text)
    {
        var words = new List<string>();
        foreach (var token in Token().Matches(text).Select(m => m.Value))
        {
            var isWord = Word().IsMatch(token) && !Allowed.Contains(token);
            if (isWord)
            {
                words.Add(token);
                continue;
            }
            if (words.Count >= 3) yield return string.Join(' ', words);
            words.Clear();
        }
        if (words.Count >= 3) yield return string.Join(' ', words);
    }

    // A token is a word (letters, inner apostrophes/hyphens), or any other non-space character; spaces only separate.
    [GeneratedRegex(@"[A-Za-z]+(?:['’-][A-Za-z]+)*|[^\sA-Za-z]")]
    private static partial Regex Token();

    [GeneratedRegex(@"^[A-Za-z]+(?:['’-][A-Za-z]+)*$")]
    private static partial Regex Word();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}[^·\n]*\s·\s+[A-Za-z]")]
    private static partial Regex JoinedPair();
}
