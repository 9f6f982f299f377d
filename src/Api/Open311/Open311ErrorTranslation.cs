using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Sanmenxia.Api.Open311;

/// <summary>
/// Where the two error rules meet: every error of a route under <see cref="Open311Endpoints.Prefix"/> is answered in the
/// GeoReport v2 error format (an array of code and description, XML or JSON by the resource's extension; XML when the
/// path names none), everything else stays RFC 9457. The Open311 endpoints write their own validation errors in that
/// format; this middleware rewrites the problem details of everything that happens around them: the shared per-client
/// rate limit (429 + Retry-After), unknown resources and formats (404), the control-character rule (400), an unavailable
/// cluster or store (503 + Retry-After) and any other fault. The HTTP status code is kept, and each field error of a
/// problem becomes one error ("field: reason").
/// </summary>
public static class Open311ErrorTranslation
{
    public static WebApplication UseOpen311Errors(this WebApplication app)
    {
        app.Use(TranslateAsync);
        return app;
    }

    /// <summary>The format an Open311 path asks for: .json, else XML (the specification's required format).</summary>
    public static Open311Format FormatOf(PathString path) =>
        path.Value is { } p && p.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? Open311Format.Json : Open311Format.Xml;

    private static async Task TranslateAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.StartsWithSegments(Open311Endpoints.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }
        var original = http.Response.Body;
        // Open311 answers are small (at most 1,000 requests of a few hundred bytes): buffered, so an error can be rewritten.
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
            var type = http.Response.ContentType;
            if (http.Response.StatusCode >= 400 && type is not (Open311Document.XmlType or Open311Document.JsonType))
            {
                // Problem details (or, for a client whose Accept refuses JSON, a plain-text status page or no body at all).
                var descriptions = type?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) == true
                    ? Describe(buffer.ToArray())
                    : [ReasonPhrases.GetReasonPhrase(http.Response.StatusCode) is { Length: > 0 } phrase ? phrase : $"HTTP {http.Response.StatusCode}"];
                buffer.SetLength(0);
                http.Response.ContentLength = null;
                await Open311Document.Errors(http.Response.StatusCode, descriptions).As(FormatOf(http.Request.Path)).ExecuteAsync(http);
            }
        }
        finally
        {
            http.Response.Body = original;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    }

    /// <summary>The descriptions of a problem: one per field reason, else its detail (or title).</summary>
    internal static IReadOnlyList<string> Describe(byte[] problem)
    {
        try
        {
            var root = JsonDocument.Parse(problem).RootElement;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                var list = errors.EnumerateObject()
                    .SelectMany(f => f.Value.ValueKind == JsonValueKind.Array ? f.Value.EnumerateArray().Select(r => $"{f.Name}: {r.GetString()}") : [])
                    .ToList();
                if (list.Count > 0) return list;
            }
            foreach (var name in new[] { "detail", "title" })
                if (root.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String && text.GetString() is { Length: > 0 } s) return [s];
        }
        catch (JsonException)
        {
        }
        return ["The request could not be fulfilled."];
    }
}
