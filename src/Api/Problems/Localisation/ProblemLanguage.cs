using Microsoft.Net.Http.Headers;

namespace Sanmenxia.Api.Problems.Localisation;

/// <summary>The two languages problems are written in. Simplified Chinese is the default.</summary>
public enum ProblemLanguage
{
    Chinese,
    English,
}

/// <summary>
/// Chooses the language of a problem from <c>Accept-Language</c>: Chinese (zh-CN) unless English is preferred over
/// Chinese by the q-values (an absent header, <c>*</c> or only unsupported languages mean Chinese). At equal q-values
/// the one listed first wins, as browsers list the user's order.
/// </summary>
public static class ProblemLanguages
{
    public const string ChineseTag = "zh-CN";
    public const string EnglishTag = "en";

    public static string Tag(this ProblemLanguage language) => language == ProblemLanguage.English ? EnglishTag : ChineseTag;

    public static ProblemLanguage Negotiate(HttpRequest request) => Negotiate(request.Headers.AcceptLanguage.ToString());

    public static ProblemLanguage Negotiate(string? acceptLanguage)
    {
        if (string.IsNullOrWhiteSpace(acceptLanguage)
            || !StringWithQualityHeaderValue.TryParseList(acceptLanguage.Split(','), out var values)) return ProblemLanguage.Chinese;
        double english = 0, chinese = 0;
        int englishAt = int.MaxValue, chineseAt = int.MaxValue;
        for (var i = 0; i < values.Count; i++)
        {
            var tag = values[i].Value.Value ?? "";
            var q = values[i].Quality ?? 1.0;
            if (q <= 0) continue;
            if (tag.Equals("en", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("en-", StringComparison.OrdinalIgnoreCase))
            {
                if (q > english) (english, englishAt) = (q, i);
            }
            else if (tag == "*" || tag.Equals("zh", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("zh-", StringComparison.OrdinalIgnoreCase))
            {
                if (q > chinese) (chinese, chineseAt) = (q, i);
            }
        }
        return english > chinese || (english > 0 && english == chinese && englishAt < chineseAt)
            ? ProblemLanguage.English : ProblemLanguage.Chinese;
    }
}
