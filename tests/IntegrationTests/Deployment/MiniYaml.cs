using System.Text;

namespace Sanmenxia.IntegrationTests.Deployment;

/// <summary>
/// Reads the block-style YAML subset that docker/compose.yaml and docker/k8s/*.yaml are written in, so the
/// deployment tests need no YAML package: block mappings and sequences (including "- key: value" items and
/// sequences at their key's indentation), plain / single- / double-quoted scalars, one-line flow sequences
/// and mappings, block scalars (| and >), comments, "---" documents, anchors (&amp;a), aliases (*a) and merge
/// keys (&lt;&lt;: *a). Scalars stay strings ("null" and "~" are null). Anything else fails loudly with its
/// line number, so a manifest that leaves the subset is noticed rather than misread.
/// </summary>
internal static class MiniYaml
{
    /// <summary>Every non-empty document of the text: Dictionary&lt;string, object?&gt;, List&lt;object?&gt;, string or null.</summary>
    public static List<object?> LoadAll(string text)
    {
        var documents = new List<object?>();
        var current = new List<string>();
        var firstLine = 1;
        var lineNumber = 0;
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            lineNumber++;
            if (raw.TrimEnd() == "---" || raw.StartsWith("--- ", StringComparison.Ordinal))
            {
                Flush();
                firstLine = lineNumber + 1;
                continue;
            }
            current.Add(raw);
        }
        Flush();
        return documents;

        void Flush()
        {
            var parser = new Parser(current, firstLine);
            if (parser.HasContent) documents.Add(parser.ParseDocument());
            current = [];
        }
    }

    public static object? Load(string text) => Assert.Single(LoadAll(text));

    private sealed class Parser
    {
        private readonly List<(int Indent, string Content, string Raw, int Number)> _lines = [];
        private readonly Dictionary<string, object?> _anchors = new(StringComparer.Ordinal);
        private int _pos;

        public Parser(List<string> raw, int firstLine)
        {
            for (var i = 0; i < raw.Count; i++)
            {
                var line = raw[i];
                if (line.Contains('\t') && StripComment(line).Trim().Length > 0 && line.TrimStart(' ').StartsWith('\t'))
                    throw Error(firstLine + i, "tab indentation");
                var indent = line.Length - line.TrimStart(' ').Length;
                _lines.Add((indent, StripComment(line).Trim(), line, firstLine + i));
            }
        }

        public bool HasContent => _lines.Any(l => l.Content.Length > 0);

        public object? ParseDocument()
        {
            var value = ParseBlock(0);
            if (SkipBlank()) throw Error(_lines[_pos].Number, $"unexpected indentation or content: '{_lines[_pos].Content}'");
            return value;
        }

        private bool SkipBlank()
        {
            while (_pos < _lines.Count && _lines[_pos].Content.Length == 0) _pos++;
            return _pos < _lines.Count;
        }

        private static bool IsSequenceItem(string content) => content == "-" || content.StartsWith("- ", StringComparison.Ordinal);

        private object? ParseBlock(int minIndent)
        {
            if (!SkipBlank() || _lines[_pos].Indent < minIndent) return null;
            var (indent, content, _, _) = _lines[_pos];
            return IsSequenceItem(content) ? ParseSequence(indent) : ParseMapping(indent);
        }

        private List<object?> ParseSequence(int indent)
        {
            var list = new List<object?>();
            while (SkipBlank() && _lines[_pos].Indent == indent && IsSequenceItem(_lines[_pos].Content))
            {
                var line = _lines[_pos];
                var rest = line.Content.Length == 1 ? "" : line.Content[1..];
                var column = indent + 1 + (rest.Length - rest.TrimStart().Length);
                rest = rest.Trim();
                if (rest.Length == 0)
                {
                    _pos++;
                    list.Add(ParseBlock(indent + 1));
                }
                else if (IsSequenceItem(rest))
                    throw Error(line.Number, "nested '- - ' sequences are outside the subset");
                else if (SplitEntry(rest) is not null && !rest.StartsWith('[') && !rest.StartsWith('{'))
                {
                    // "- key: value": a mapping whose keys sit at the column after the dash.
                    _lines[_pos] = (column, rest, line.Raw, line.Number);
                    list.Add(ParseMapping(column));
                }
                else
                {
                    _pos++;
                    list.Add(ParseInline(rest, line.Number));
                }
            }
            return list;
        }

        private Dictionary<string, object?> ParseMapping(int indent)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            var explicitKeys = new HashSet<string>(StringComparer.Ordinal);
            while (SkipBlank() && _lines[_pos].Indent == indent && !IsSequenceItem(_lines[_pos].Content))
            {
                var line = _lines[_pos];
                var (key, rest) = SplitEntry(line.Content) ?? throw Error(line.Number, $"expected 'key: value', got '{line.Content}'");
                _pos++;
                string? anchor = null;
                if (rest.StartsWith('&'))
                {
                    var end = rest.IndexOf(' ');
                    anchor = end < 0 ? rest[1..] : rest[1..end];
                    rest = end < 0 ? "" : rest[end..].Trim();
                }

                object? value;
                if (rest.Length == 0)
                {
                    if (SkipBlank() && _lines[_pos].Indent > indent) value = ParseBlock(_lines[_pos].Indent);
                    else if (SkipBlank() && _lines[_pos].Indent == indent && IsSequenceItem(_lines[_pos].Content)) value = ParseSequence(indent);
                    else value = null;
                }
                else if (rest[0] is '|' or '>') value = ReadBlockScalar(indent, rest, line.Number);
                else value = ParseInline(rest, line.Number);

                if (anchor is not null) _anchors[anchor] = value;
                if (key == "<<")
                {
                    var sources = value is List<object?> many ? many : [value];
                    foreach (var source in sources)
                    {
                        if (source is not Dictionary<string, object?> merged) throw Error(line.Number, "'<<' needs a mapping alias");
                        foreach (var (k, v) in merged)
                            if (!explicitKeys.Contains(k)) map[k] = v;
                    }
                    continue;
                }
                if (!explicitKeys.Add(key)) throw Error(line.Number, $"duplicate key '{key}'");
                map[key] = value;
            }
            if (SkipBlank() && _lines[_pos].Indent > indent)
                throw Error(_lines[_pos].Number, $"unexpected indentation: '{_lines[_pos].Content}'");
            return map;
        }

        private string ReadBlockScalar(int parentIndent, string indicator, int number)
        {
            if (indicator is not ("|" or "|-" or "|+" or ">" or ">-" or ">+")) throw Error(number, $"block scalar header '{indicator}'");
            var body = new List<string>();
            var blockIndent = -1;
            while (_pos < _lines.Count)
            {
                var (indent, _, raw, _) = _lines[_pos];
                var blank = raw.Trim().Length == 0;
                if (!blank && indent <= parentIndent) break;
                if (!blank && blockIndent < 0) blockIndent = indent;
                body.Add(blank ? "" : raw[Math.Min(blockIndent, raw.Length)..]);
                _pos++;
            }
            while (body.Count > 0 && body[^1].Length == 0) body.RemoveAt(body.Count - 1);
            var text = indicator[0] == '|' ? string.Join('\n', body) : string.Join(' ', body.Where(b => b.Length > 0));
            return indicator.EndsWith('-') ? text : text + "\n";
        }

        private object? ParseInline(string text, int number)
        {
            text = text.Trim();
            if (text.StartsWith('*'))
                return _anchors.TryGetValue(text[1..], out var aliased) ? aliased : throw Error(number, $"unknown alias '{text}'");
            if (text.StartsWith('['))
            {
                if (!text.EndsWith(']')) throw Error(number, "multi-line flow sequences are outside the subset");
                return SplitFlow(text[1..^1], number).Select(item => ParseInline(item, number)).ToList();
            }
            if (text.StartsWith('{'))
            {
                if (!text.EndsWith('}')) throw Error(number, "multi-line flow mappings are outside the subset");
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var item in SplitFlow(text[1..^1], number))
                {
                    var (key, rest) = SplitEntry(item) ?? throw Error(number, $"flow mapping item '{item}'");
                    map[key] = rest.Length == 0 ? null : ParseInline(rest, number);
                }
                return map;
            }
            if (text.StartsWith('"') || text.StartsWith('\''))
            {
                var (value, end) = ReadQuoted(text, 0, number);
                if (end != text.Length) throw Error(number, $"text after a quoted scalar: '{text}'");
                return value;
            }
            return text is "null" or "~" ? null : text;
        }

        private static List<string> SplitFlow(string inner, int number)
        {
            var items = new List<string>();
            var depth = 0;
            var start = 0;
            for (var i = 0; i < inner.Length; i++)
            {
                var c = inner[i];
                if ((c is '"' or '\'') && AtTokenStart(inner, i)) { i = ReadQuoted(inner, i, number).End - 1; continue; }
                if (c is '[' or '{') depth++;
                else if (c is ']' or '}') depth--;
                else if (c == ',' && depth == 0) { items.Add(inner[start..i].Trim()); start = i + 1; }
            }
            var last = inner[start..].Trim();
            if (last.Length > 0) items.Add(last);
            return items;
        }

        private static bool AtTokenStart(string s, int i)
        {
            var j = i - 1;
            while (j >= 0 && s[j] == ' ') j--;
            return j < 0 || s[j] is '[' or '{' or ',' or ':' or '-' or '?';
        }

        /// <summary>A quoted scalar starting at <paramref name="start"/>: its value and the index after the closing quote.</summary>
        private static (string Value, int End) ReadQuoted(string s, int start, int number)
        {
            var quote = s[start];
            var value = new StringBuilder();
            for (var i = start + 1; i < s.Length; i++)
            {
                var c = s[i];
                if (quote == '\'' && c == '\'')
                {
                    if (i + 1 < s.Length && s[i + 1] == '\'') { value.Append('\''); i++; continue; }
                    return (value.ToString(), i + 1);
                }
                if (quote == '"' && c == '\\' && i + 1 < s.Length)
                {
                    var e = s[++i];
                    value.Append(e switch { 'n' => '\n', 't' => '\t', '0' => '\0', _ => e });
                    continue;
                }
                if (quote == '"' && c == '"') return (value.ToString(), i + 1);
                value.Append(c);
            }
            throw Error(number, "unterminated quoted scalar (multi-line quoted scalars are outside the subset)");
        }

        /// <summary>"key: rest" or "key:" split at the first ': ' outside a quoted key; null when the text is no mapping entry.</summary>
        private static (string Key, string Value)? SplitEntry(string content)
        {
            string key;
            int colon;
            if (content.StartsWith('"') || content.StartsWith('\''))
            {
                int end;
                try { (key, end) = ReadQuoted(content, 0, 0); }
                catch (FormatException) { return null; }
                var after = content[end..].TrimStart();
                if (!after.StartsWith(':')) return null;
                colon = content.Length - after.Length;
            }
            else
            {
                colon = -1;
                for (var i = 0; i < content.Length; i++)
                    if (content[i] == ':' && (i + 1 == content.Length || content[i + 1] == ' ')) { colon = i; break; }
                if (colon <= 0) return null;
                key = content[..colon].Trim();
            }
            if (colon + 1 < content.Length && content[colon + 1] != ' ') return null;
            return (key, content[(colon + 1)..].Trim());
        }

        /// <summary>The line without its comment: '#' at the start or after a space, outside quoted scalars.</summary>
        private static string StripComment(string line)
        {
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if ((c is '"' or '\'') && AtTokenStart(line, i))
                {
                    var quote = c;
                    for (i++; i < line.Length; i++)
                    {
                        if (quote == '"' && line[i] == '\\') { i++; continue; }
                        if (line[i] == quote)
                        {
                            if (quote == '\'' && i + 1 < line.Length && line[i + 1] == '\'') { i++; continue; }
                            break;
                        }
                    }
                    continue;
                }
                if (c == '#' && (i == 0 || line[i - 1] == ' ')) return line[..i].TrimEnd();
            }
            return line.TrimEnd();
        }

        private static FormatException Error(int line, string message) => new($"YAML line {line}: {message}");
    }
}
