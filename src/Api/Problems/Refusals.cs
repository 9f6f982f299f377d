namespace Sanmenxia.Api.Problems;

/// <summary>
/// Builds the refusals endpoints return. Field errors follow RFC 9457 as ASP.NET writes them:
/// {"status":400,"errors":{"idNumber":["check character should be X"]}}.
/// </summary>
public static class Refusals
{
    public static IResult Field(string field, string reason, int status = StatusCodes.Status400BadRequest, string? code = null) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [reason] }, statusCode: status,
            title: "The request has invalid fields", extensions: Code(code));

    public static IResult Fields(FieldErrors errors, int status = StatusCodes.Status400BadRequest, string? code = null) =>
        Results.ValidationProblem(errors.ToDictionary(), statusCode: status, title: "The request has invalid fields", extensions: Code(code));

    private static Dictionary<string, object?>? Code(string? code) => code is null ? null : new() { ["code"] = code };

    /// <summary>A one-time code that did not prove the phone: 401 with the reason on the <c>code</c> field and a stable code.</summary>
    public static IResult CodeNotAccepted(string reason, string code) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [reason] }, statusCode: StatusCodes.Status401Unauthorized,
            title: "The one-time code was not accepted", extensions: Code(code));

    public static IResult Forbidden(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Outside your role or jurisdiction", detail: detail);

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult Conflict(string detail, string? code = null, string title = "Conflict") =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail, extensions: Code(code));

    public static IResult Unprocessable(string title, string detail, string? code = null) =>
        Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: detail,
            extensions: code is null ? null : new Dictionary<string, object?> { ["code"] = code });

    public static IResult Unauthorized(string detail, string title = "Not signed in") =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: title, detail: detail);

    /// <summary>The title of a refused sign-in (a wrong password or one-time code): the caller is signing in, not signed out.</summary>
    public const string SignInFailed = "Sign-in failed";

    public static IResult TooMany(string detail, TimeSpan retryAfter, HttpContext http)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: detail);
    }
}

/// <summary>Collects field errors while an endpoint checks a body, so every problem is reported at once.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    public bool Any => _errors.Count > 0;
    public void Add(string field, string reason)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(reason);
    }
    public void Require(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "is required");
        else if (value.Length > maxLength) Add(field, $"must be at most {maxLength} characters");
    }
    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
