using System.Text.RegularExpressions;
using Sanmenxia.Api.Problems.Localisation;

namespace Sanmenxia.IntegrationTests.Localisation;

/// <summary>
/// The catalog of problem texts is complete and well formed: every English reason, detail or title the source writes
/// (ProblemSourceScanner) has an entry, and its Chinese has no English sentence. A new English reason without a
/// translation fails here, before a Chinese page shows it.
/// </summary>
public sealed partial class ProblemCatalogTests
{
    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly ProblemCatalog Catalog = ProblemCatalog.Default;

    /// <summary>Texts the scanner finds that are not problem texts (health-check answers, history and step notes, a content type, a format).</summary>
    private static readonly HashSet<string> NotProblemTexts = new(StringComparer.Ordinal)
    {
        "PostgreSQL answers", "PostgreSQL unreachable: \u0001", "cluster unreachable: \u0001", "no active silo", "\u0001 active silo(s)",
        "application/json; charset=utf-8", "applied on \u0001 with the honesty pledge\u0001", "released early by \u0001: \u0001",
        "the caller is not satisfied: reopened to the handler", "the caller is still not satisfied after the reopening: to the supervisor",
        "[\u0001] \u0001", // DashboardHub's "[kind] text": the text is translated before it is formatted
    };

    [Fact]
    public void The_scanner_finds_the_texts_of_every_kind_of_source()
    {
        var texts = ProblemSourceScanner.Scan(RepoRoot).Select(f => f.Text).ToHashSet();
        Assert.True(texts.Count > 200, $"only {texts.Count} texts found");
        Assert.Contains("Unknown username or wrong password.", texts);                   // Refusals.Unauthorized
        Assert.Contains("check character should be \u0001", texts);                     // a validator's return
        Assert.Contains("must have 11 digits (got \u0001)", texts);                     // error = …
        Assert.Contains("header lacks column(s): \u0001", texts);                       // a CSV refusal
        Assert.Contains("The QR was issued on \u0001, not today: a replayed screenshot. Ask for the live code.", texts);
        Assert.Contains("only a pending entry can be confirmed", texts);                // the key-person register
        Assert.Contains("temperature \u0001 °C is at or above \u0001 °C", texts);        // health-code refusal reasons
        Assert.Contains("The Idempotency-Key header names one user action: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-', the same on every retry of that action.", texts);
    }

    [Fact]
    public void Every_problem_text_in_the_source_has_a_chinese_translation()
    {
        var missing = new List<string>();
        foreach (var found in ProblemSourceScanner.Scan(RepoRoot).Where(f => !NotProblemTexts.Contains(f.Text)))
        {
            var sample = found.Text.Replace(ProblemSourceScanner.Hole, "42");
            if (Catalog.Translate(sample, ProblemLanguage.Chinese) is not { } zh) missing.Add($"{found.Where}: {found.Text.Replace(ProblemSourceScanner.Hole, "{…}")}");
            else if (EnglishText.FirstRun(zh.Text) is { } run) missing.Add($"{found.Where}: the Chinese of '{sample}' contains English '{run}': {zh.Text}");
        }
        Assert.True(missing.Count == 0, "Problem texts without a translation in src/Api/Problems/Localisation/ProblemCatalog.txt:\n" + string.Join("\n", missing.Distinct()));
    }

    [Fact]
    public void Every_entry_has_a_dotted_code_a_chinese_text_and_only_holes_of_its_english()
    {
        Assert.NotEmpty(Catalog.Entries);
        foreach (var entry in Catalog.Entries)
        {
            Assert.Matches(CodeSyntax(), entry.Code);
            Assert.DoesNotContain(entry.Code, new[] { ProblemLocaliser.Unlocalised });
            foreach (Match hole in HoleSyntax().Matches(entry.Chinese))
                Assert.True(entry.Holes.Contains(hole.Groups[1].Value), $"'{entry.Chinese}' uses {{{hole.Groups[1].Value}}}, which '{entry.English}' does not have");
            EnglishText.AssertNone(HoleSyntax().Replace(entry.Chinese, "42"), $"the Chinese of '{entry.English}'");
            Assert.Matches(ChineseCharacter(), entry.Chinese);
        }
    }

    [Theory]
    [InlineData("check character should be 7", "id-number.check-digit", "身份证号校验位应为 7")]
    [InlineData("must have 11 digits (got 5)", "phone.length", "应为 11 位数字（实际为 5 位）")]
    [InlineData("line 3 must not contain a control character (U+0000)", "csv.line", "第 3 行：不能含有控制字符（U+0000）")]
    [InlineData("not eligible: close contact with a case; the honesty pledge is required", "code.not-eligible", "不符合申领条件：病例密切接触者；须作出诚信承诺")]
    [InlineData("The ticket is closed; it cannot be dispatched.", "ticket.illegal-transition", "工单已办结，不能再派发。")]
    [InlineData("must be between 1 and 30 (the retention period)", "retention.days", "应在 1 至 30 之间（保存期限）")]
    [InlineData("must be between 1 and 500", "field.range", "应在 1 至 500 之间")]
    public void Templates_translate_holes_and_nested_reasons(string english, string code, string chinese)
    {
        var zh = Catalog.Translate(english, ProblemLanguage.Chinese);
        Assert.Equal<(string, string)?>((code, chinese), zh);
        Assert.Equal<(string, string)?>((code, english), Catalog.Translate(english, ProblemLanguage.English));
    }

    [Fact]
    public void An_unknown_text_is_not_translated()
    {
        Assert.Null(Catalog.Translate("A sentence nobody wrote a translation for.", ProblemLanguage.Chinese));
    }

    [Theory]
    [InlineData(null, ProblemLanguage.Chinese)]
    [InlineData("", ProblemLanguage.Chinese)]
    [InlineData("*", ProblemLanguage.Chinese)]
    [InlineData("fr-FR, de;q=0.8", ProblemLanguage.Chinese)]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.8", ProblemLanguage.Chinese)]
    [InlineData("en;q=0.5, zh;q=0.9", ProblemLanguage.Chinese)]
    [InlineData("zh-TW", ProblemLanguage.Chinese)]
    [InlineData("en", ProblemLanguage.English)]
    [InlineData("en-US,en;q=0.9", ProblemLanguage.English)]
    [InlineData("zh;q=0.3, en;q=0.8", ProblemLanguage.English)]
    [InlineData("fr, en;q=0.5", ProblemLanguage.English)]
    [InlineData("en-GB, zh-CN", ProblemLanguage.English)]
    [InlineData("zh-CN, en-GB", ProblemLanguage.Chinese)]
    [InlineData("en;q=0", ProblemLanguage.Chinese)]
    public void The_language_is_chinese_unless_english_is_preferred(string? header, ProblemLanguage expected) =>
        Assert.Equal(expected, ProblemLanguages.Negotiate(header));

    [GeneratedRegex(@"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")]
    private static partial Regex CodeSyntax();

    [GeneratedRegex(@"\{@?([A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex HoleSyntax();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex ChineseCharacter();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sanmenxia.Orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Sanmenxia.Orleans.sln not found above {AppContext.BaseDirectory}");
    }
}
