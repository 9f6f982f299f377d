using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Sanmenxia.Api.Problems.Localisation;

/// <summary>
/// Writes every problem in the caller's language (ProblemLanguages.Negotiate) and gives it stable codes: the
/// top-level <c>code</c> (an endpoint's own code is kept) and, beside <c>errors</c>, <c>errorCodes</c> (field → codes,
/// in the order of the reasons). Runs once per problem, from ProblemDetailsOptions.CustomizeProblemDetails, which every
/// problem the API writes goes through (Results.Problem/ValidationProblem, the exception handler, status-code pages).
/// A text the catalog does not know is written in Chinese as the status's general sentence with the code
/// <see cref="Unlocalised"/>, and logged once (ProblemCatalogTests fail before that happens in production).
/// Open311 routes stay English: their clients read the specification's error format, not a person's language.
/// </summary>
public sealed class ProblemLocaliser(ProblemCatalog catalog, ILogger<ProblemLocaliser> logger)
{
    public const string Unlocalised = "unlocalised";
    public const string InvalidFields = "validation.invalid-fields";
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);

    public void Apply(ProblemDetailsContext context)
    {
        try
        {
            Localise(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A problem in English beats no answer: the exception handler would otherwise rethrow the original error.
            logger.LogError(e, "Could not localise the problem of {Method} {Path}", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
        }
    }

    private void Localise(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        // Open311 clients get the specification's error format, rewritten from these problems, in English (docs/tickets.md).
        var language = http.Request.Path.StartsWithSegments(Sanmenxia.Api.Open311.Open311Endpoints.Prefix, StringComparison.OrdinalIgnoreCase)
            ? ProblemLanguage.English : ProblemLanguages.Negotiate(http.Request);
        if (!http.Response.HasStarted)
        {
            http.Response.Headers.ContentLanguage = language.Tag();
            http.Response.Headers.Append("Vary", "Accept-Language");
        }
        var status = problem.Status ?? http.Response.StatusCode;
        var jsonBody = context.Exception is BadHttpRequestException { InnerException: JsonException };

        var errors = problem is HttpValidationProblemDetails validation ? validation.Errors
            : problem.Extensions.TryGetValue("errors", out var e) ? e as IDictionary<string, string[]> : null;
        if (errors is { Count: > 0 })
        {
            var codes = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var field in errors.Keys.ToList())
            {
                var reasons = errors[field];
                var fieldCodes = new string[reasons.Length];
                for (var i = 0; i < reasons.Length; i++)
                    (fieldCodes[i], reasons[i]) = jsonBody && catalog.Match(reasons[i]) is null
                        ? ("json.invalid-value", language == ProblemLanguage.English ? reasons[i] : "格式或取值有误，无法读取")
                        : Localise(reasons[i], language, ProblemFallbacks.Reason, http);
                codes[field] = fieldCodes;
            }
            problem.Extensions["errorCodes"] = codes;
        }

        string? detailCode = null;
        if (problem.Detail is { } detail)
            (detailCode, problem.Detail) = jsonBody && detail.StartsWith(ProblemFallbacks.JsonDetailPrefix, StringComparison.Ordinal)
                ? ("json.malformed", language == ProblemLanguage.English ? detail : "请求正文不是有效的 JSON，无法读取。")
                : Localise(detail, language, ProblemFallbacks.Detail(status), http);
        string? titleCode = null;
        if (problem.Title is { } title) (titleCode, problem.Title) = Localise(title, language, ProblemFallbacks.Title(status), http);
        if (problem.Extensions.TryGetValue("reasons", out var r) && r is IEnumerable<string> texts)
            problem.Extensions["reasons"] = texts.Select(t => Localise(t, language, ProblemFallbacks.Reason, http).Text).ToArray();

        if (!problem.Extensions.TryGetValue("code", out var code) || code is null)
            problem.Extensions["code"] = jsonBody ? "json.malformed"
                : errors is { Count: > 0 } ? InvalidFields
                : detailCode is not null and not Unlocalised ? detailCode
                : titleCode ?? detailCode ?? ProblemFallbacks.StatusCode(status);
    }

    private (string Code, string Text) Localise(string english, ProblemLanguage language, string fallback, HttpContext http)
    {
        if (catalog.Translate(english, language) is { } known) return known;
        // Once per text, and a bounded set: an unknown text may echo a caller's input.
        if (_warned.Count < 1000 && _warned.TryAdd(english, 0))
            logger.LogWarning("Problem text without a translation on {Method} {Path}: {Text}", http.Request.Method, http.Request.Path, english);
        return (Unlocalised, language == ProblemLanguage.English ? english : fallback);
    }
}
