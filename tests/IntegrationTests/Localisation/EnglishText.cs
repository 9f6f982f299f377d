using System.Text.RegularExpressions;

namespace Sanmenxia.IntegrationTests.Localisation;

/// <summary>
/// The check that a Chinese answer does not speak English: no run of three or more English words (letters separated by
/// spaces). Codes, field names, numbers, ticket numbers and single enum names may appear; a sentence may not.
/// </summary>
public static partial class EnglishText
{
    /// <summary>The first run of 3+ English words in <paramref name="text"/>, or null.</summary>
    public static string? FirstRun(string? text) => text is null ? null : Run().Match(text) is { Success: true } m ? m.Value : null;

    /// <summary>Fails when <paramref name="text"/> contains a run of 3+ English words.</summary>
    public static void AssertNone(string? text, string what)
    {
        var run = FirstRun(text);
        Assert.True(run is null, $"{what} contains English ('{run}'): {text}");
    }

    /// <summary>Every string in a JSON problem (title, detail, errors, reasons …) checked with <see cref="AssertNone"/>.</summary>
    public static void AssertNoneIn(System.Text.Json.JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case System.Text.Json.JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    if (property.Name is not ("type" or "instance" or "traceId" or "code" or "errorCodes")) AssertNoneIn(property.Value, $"{path}.{property.Name}");
                break;
            case System.Text.Json.JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) AssertNoneIn(item, $"{path}[{i++}]");
                break;
            case System.Text.Json.JsonValueKind.String:
                AssertNone(element.GetString(), path);
                break;
        }
    }

    [GeneratedRegex(@"[A-Za-z]+(?:\s+[A-Za-z]+){2,}")]
    private static partial Regex Run();
}
