using System.Text;
using System.Text.RegularExpressions;

namespace Sanmenxia.IntegrationTests.Localisation;

/// <summary>
/// Finds the English texts problems are made of in the source: every string literal (interpolated ones with each hole
/// as <see cref="Hole"/>, adjacent literals joined by '+' as one) inside a call of Refusals.*, FieldErrors
/// Add/Require, errors.Add, CsvImport.Fail, Results.Problem/ValidationProblem, ticket refusals, health-code refusal
/// reasons and the key-person register's refusals; and in the API and the domain validators, the literals a
/// <c>return</c> or an <c>error =</c> statement yields. Literals without a space (field names, codes) and those after
/// <c>code:</c> are not texts.
/// </summary>
internal static partial class ProblemSourceScanner
{
    public const string Hole = "\u0001";

    /// <summary>Domain files whose returned strings are reasons a problem carries.</summary>
    private static readonly HashSet<string> ValidatorFiles = new(StringComparer.Ordinal)
    {
        "ResidentIdNumber.cs", "PhoneNumber.cs", "RegionCode.cs", "TripRules.cs", "CheckpointPolicy.cs", "RequestStamp.cs",
        "TicketAppeals.cs", "TicketWorkflow.cs", "PassAdmission.cs", "KeyPersonRegister.cs", "HealthCodeRules.cs",
        "SignedCodeToken.cs", "CodeToken.cs",
    };

    public sealed record Found(string Text, string Where);

    public static IReadOnlyList<Found> Scan(string repoRoot)
    {
        var found = new List<Found>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repoRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(repoRoot, file).Replace('\\', '/');
            if (relative.Contains("/obj/") || relative.Contains("/bin/") || relative.Contains("/Open311/")) continue;
            var inApi = relative.StartsWith("src/Api/", StringComparison.Ordinal);
            if (!inApi && !relative.StartsWith("src/Abstractions/", StringComparison.Ordinal) && !relative.StartsWith("src/Grains/", StringComparison.Ordinal)) continue;
            var source = BlankLineComments().Replace(File.ReadAllText(file), m => new string(' ', m.Length));
            var spans = new List<(int From, int To)>();
            foreach (Match call in Calls().Matches(source)) spans.Add((call.Index + call.Length, EndOf(source, call.Index + call.Length - 1, ')')));
            if (inApi || ValidatorFiles.Contains(Path.GetFileName(file)))
                foreach (Match statement in Statements().Matches(source)) spans.Add((statement.Index + statement.Length, EndOf(source, statement.Index + statement.Length, ';')));
            var seen = new HashSet<int>();
            foreach (var (from, to) in spans)
                foreach (var (text, at) in Literals(source, from, to))
                {
                    if (!text.Trim().Contains(' ') || !seen.Add(at)) continue;
                    var before = source[Math.Max(0, at - 14)..at];
                    if (before.Contains("code:", StringComparison.Ordinal) || before.Contains("Log", StringComparison.Ordinal)) continue;
                    found.Add(new Found(text, $"{relative}:{source[..at].Count(c => c == '\n') + 1}"));
                }
        }
        return found;
    }

    [GeneratedRegex(@"(?m)^[ \t]*//.*$")]
    private static partial Regex BlankLineComments();

    [GeneratedRegex(@"(Refusals\.\w+|\b\w*[eE]rrors\??\.Add|\.Require|\.Fail|Results\.Problem|Results\.ValidationProblem|TicketRefusal|TicketDecision\.Refuse|\bRefused?|reasons\.Add|\bChange|new\s*\(\s*false|new\s*\(\s*CodeTokenStatus\.\w+)\s*\(")]
    private static partial Regex Calls();

    [GeneratedRegex(@"\b(return|error\s*=)\s")]
    private static partial Regex Statements();

    [GeneratedRegex(@"\G(\$@|@\$|\$|@)?""")]
    private static partial Regex LiteralStart();

    [GeneratedRegex(@"\G\s*\+\s*(?=(\$@|@\$|\$|@)?"")")]
    private static partial Regex Concatenation();

    /// <summary>The index of the bracket closing the one at <paramref name="open"/>, or of the ';' ending a statement.</summary>
    private static int EndOf(string s, int from, char end)
    {
        var depth = 0;
        for (var i = from; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '"') { i = SkipLiteral(s, i); continue; }
            if (c == '\'' && i + 2 < s.Length && (s[i + 2] == '\'' || s[i + 1] == '\\')) { i = s.IndexOf('\'', i + 2); continue; }
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}')
            {
                depth--;
                if (depth < 0 || (depth == 0 && end == ')')) return i;
            }
            else if (c == ';' && depth <= 0 && end == ';') return i;
        }
        return s.Length;
    }

    private static int SkipLiteral(string s, int quote)
    {
        var verbatim = quote > 0 && s[quote - 1] == '@' || quote > 1 && s[quote - 2] == '@';
        for (var k = quote + 1; k < s.Length; k++)
        {
            if (!verbatim && s[k] == '\\') { k++; continue; }
            if (s[k] == '"') return k;
        }
        return s.Length;
    }

    private static IEnumerable<(string Text, int At)> Literals(string s, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (s[i] != '"' && !(s[i] is '$' or '@' && i + 1 < to && (s[i + 1] == '"' || s[i + 1] is '$' or '@' && i + 2 < to && s[i + 2] == '"'))) continue;
            if (i > 0 && s[i - 1] == '\'') continue;
            var start = i;
            var text = new StringBuilder();
            var j = ReadLiteral(s, i, text);
            while (Concatenation().Match(s, j) is { Success: true } plus) j = ReadLiteral(s, plus.Index + plus.Length, text);
            yield return (text.ToString(), start);
            i = j - 1;
        }
    }

    /// <summary>Reads the literal starting at <paramref name="at"/> into <paramref name="text"/>; returns the index after it.</summary>
    private static int ReadLiteral(string s, int at, StringBuilder text)
    {
        var prefix = LiteralStart().Match(s, at).Groups[1].Value;
        var interpolated = prefix.Contains('$');
        var verbatim = prefix.Contains('@');
        var j = at + prefix.Length + 1;
        while (j < s.Length)
        {
            var c = s[j];
            if (interpolated && c == '{')
            {
                if (j + 1 < s.Length && s[j + 1] == '{') { text.Append('{'); j += 2; continue; }
                j = SkipHole(s, j);
                text.Append(Hole);
                continue;
            }
            if (interpolated && c == '}' && j + 1 < s.Length && s[j + 1] == '}') { text.Append('}'); j += 2; continue; }
            if (!verbatim && c == '\\') { text.Append(s[j + 1] switch { 'n' => '\n', 't' => '\t', _ => s[j + 1] }); j += 2; continue; }
            if (c == '"') return j + 1;
            text.Append(c);
            j++;
        }
        return j;
    }

    private static int SkipHole(string s, int open)
    {
        var depth = 1;
        var k = open + 1;
        while (k < s.Length && depth > 0)
        {
            var c = s[k];
            if (c == '"') k = SkipLiteral(s, k);
            else if (c == '\'' && k + 2 < s.Length && s[k + 2] == '\'') k += 2;
            else if (c == '{') depth++;
            else if (c == '}') depth--;
            k++;
        }
        return k;
    }
}
