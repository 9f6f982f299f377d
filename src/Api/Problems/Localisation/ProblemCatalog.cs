using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace Sanmenxia.Api.Problems.Localisation;

/// <summary>
/// The texts problems are made of, each with a stable code and its Chinese wording (ProblemCatalog.txt, embedded).
/// The code that refuses a request keeps writing English; the catalog recognises that English (a template whose
/// <c>{holes}</c> match any text) and gives the code and the Chinese. A hole written <c>{@name}</c> is itself a
/// catalogued text (e.g. an ID number's reason inside "line 3 …") and is translated in turn.
/// </summary>
public sealed partial class ProblemCatalog
{
    private readonly FrozenDictionary<string, ProblemCatalogEntry> _exact;
    private readonly IReadOnlyList<ProblemCatalogEntry> _templates;

    public IReadOnlyList<ProblemCatalogEntry> Entries { get; }

    public ProblemCatalog(IEnumerable<ProblemCatalogEntry> entries)
    {
        Entries = entries.ToList();
        _exact = Entries.Where(e => e.Holes.Count == 0).GroupBy(e => e.English, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _templates = Entries.Where(e => e.Holes.Count > 0).ToList();
    }

    private static ProblemCatalog? _default;

    /// <summary>The catalog embedded in the API assembly.</summary>
    public static ProblemCatalog Default => _default ??= Load();

    private static ProblemCatalog Load()
    {
        using var stream = typeof(ProblemCatalog).Assembly.GetManifestResourceStream("Sanmenxia.Api.Problems.Localisation.ProblemCatalog.txt")
            ?? throw new InvalidOperationException("ProblemCatalog.txt is not embedded in the API assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Lines "code | English template | 中文模板"; '#' starts a comment line.</summary>
    public static ProblemCatalog Parse(string text)
    {
        var entries = new List<ProblemCatalogEntry>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.TrimStart().StartsWith('#')) continue;
            var parts = line.Split(" | ");
            if (parts.Length != 3 || parts.Any(p => p.Trim().Length == 0))
                throw new FormatException($"ProblemCatalog.txt line {number}: expected 'code | English | 中文'.");
            entries.Add(ProblemCatalogEntry.Create(parts[0].Trim(), parts[1].Trim(), parts[2].Trim()));
        }
        return new ProblemCatalog(entries);
    }

    /// <summary>The entry whose English template produced <paramref name="english"/>, or null.</summary>
    public ProblemCatalogMatch? Match(string english)
    {
        if (_exact.TryGetValue(english, out var exact)) return new ProblemCatalogMatch(exact, null);
        foreach (var entry in _templates)
        {
            try
            {
                if (entry.Pattern.Match(english) is { Success: true } m) return new ProblemCatalogMatch(entry, m);
            }
            catch (RegexMatchTimeoutException)
            {
                // Only a pathological text (a huge echoed value) gets here: it is simply not this entry.
            }
        }
        return null;
    }

    /// <summary>
    /// The text in <paramref name="language"/> and its code, or null when no entry knows it. Several reasons joined by
    /// "; " are translated one by one.
    /// </summary>
    public (string Code, string Text)? Translate(string english, ProblemLanguage language)
    {
        var trimmed = english.Trim();
        if (Match(trimmed) is { } match) return (match.Entry.Code, language == ProblemLanguage.English ? english : Render(match, language));
        if (!trimmed.Contains("; ", StringComparison.Ordinal)) return null;
        var parts = trimmed.Split("; ");
        var translated = new List<(string Code, string Text)>();
        foreach (var part in parts)
            if (Translate(part, language) is { } t) translated.Add(t); else return null;
        return (translated[0].Code, language == ProblemLanguage.English ? english : string.Join("；", translated.Select(t => t.Text)));
    }

    private string Render(ProblemCatalogMatch match, ProblemLanguage language) => HoleSyntax().Replace(match.Entry.Chinese, hole =>
    {
        var nested = hole.Groups["nested"].Success;
        var name = hole.Groups["name"].Value;
        var value = match.Captures?.Groups[name].Value ?? "";
        return nested && Translate(value, language) is { } t ? t.Text : value;
    });

    [GeneratedRegex(@"\{(?<nested>@)?(?<name>[A-Za-z][A-Za-z0-9]*)\}")]
    internal static partial Regex HoleSyntax();
}

/// <summary>One catalogued text: a stable code, the English the code writes, the Chinese a reader gets.</summary>
public sealed record ProblemCatalogEntry(string Code, string English, string Chinese, Regex Pattern, IReadOnlyList<string> Holes)
{
    /// <summary>Wall-clock bound of one match: generous, because a loaded machine gives a thread little CPU.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    public static ProblemCatalogEntry Create(string code, string english, string chinese)
    {
        var pattern = new StringBuilder("^");
        var holes = new List<string>();
        var at = 0;
        foreach (Match hole in ProblemCatalog.HoleSyntax().Matches(english))
        {
            pattern.Append(Regex.Escape(english[at..hole.Index]));
            var name = hole.Groups["name"].Value;
            pattern.Append(holes.Contains(name) ? $@"\k<{name}>" : $"(?<{name}>.+?)");
            holes.Add(name);
            at = hole.Index + hole.Length;
        }
        pattern.Append(Regex.Escape(english[at..])).Append('$');
        return new ProblemCatalogEntry(code, english, chinese,
            new Regex(pattern.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant, MatchTimeout), holes.Distinct().ToList());
    }
}

public sealed record ProblemCatalogMatch(ProblemCatalogEntry Entry, Match? Captures);
