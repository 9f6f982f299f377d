using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sanmenxia.IntegrationTests.Deployment;

/// <summary>
/// Reads docker/compose.yaml and docker/k8s/*.yaml with YamlDotNet into plain objects the deployment tests walk:
/// a mapping is a Dictionary&lt;string, object?&gt;, a sequence a List&lt;object?&gt;, a scalar a string (a plain
/// null, ~ or empty value is null). Anchors and aliases are resolved, merge keys (&lt;&lt;: *a) applied with the
/// mapping's own keys winning; "---" separates documents. Invalid YAML (a duplicate key, bad indentation) fails with a
/// FormatException naming the line.
/// </summary>
internal static class Yaml
{
    /// <summary>Every non-empty document of the text.</summary>
    public static List<object?> LoadAll(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FormatException($"YAML line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        return stream.Documents.Select(d => ToObject(d.RootNode)).Where(d => d is not null).ToList();
    }

    public static object? Load(string text) => Assert.Single(LoadAll(text));

    private static object? ToObject(YamlNode node) => node switch
    {
        YamlMappingNode map => ToMap(map),
        YamlSequenceNode seq => seq.Children.Select(ToObject).ToList(),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" } => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new FormatException($"YAML line {node.Start.Line}: unsupported node {node.NodeType}"),
    };

    // Merge keys (<<: *a or <<: [*a, *b]) as YAML 1.1 defines them: the mapping's own keys win, then earlier merged
    // mappings over later ones.
    private static Dictionary<string, object?> ToMap(YamlMappingNode map)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        var merged = new List<YamlMappingNode>();
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: "<<" })
            {
                merged.AddRange(valueNode switch
                {
                    YamlMappingNode one => [one],
                    YamlSequenceNode many => many.Children.Select(n => n as YamlMappingNode
                        ?? throw new FormatException($"YAML line {n.Start.Line}: a merge key takes mappings")),
                    _ => throw new FormatException($"YAML line {valueNode.Start.Line}: a merge key takes a mapping or a list of them"),
                });
                continue;
            }
            var key = ToObject(keyNode) as string ?? throw new FormatException($"YAML line {keyNode.Start.Line}: a key must be a scalar");
            result[key] = ToObject(valueNode);
        }
        foreach (var source in merged)
            foreach (var (key, value) in ToMap(source))
                result.TryAdd(key, value);
        return result;
    }
}
