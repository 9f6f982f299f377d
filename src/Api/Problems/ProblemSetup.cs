using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Sanmenxia.Api.Problems;

/// <summary>
/// Every error is an RFC 9457 problem: refusals by the endpoints themselves, framework errors (bad JSON,
/// oversized bodies, 401/403/404) and infrastructure faults (cluster or database unreachable → 503 + Retry-After).
/// </summary>
public static class ProblemSetup
{
    public static IServiceCollection AddSanmenxiaProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<SanmenxiaExceptionHandler>();
        // Malformed bodies and missing parameters reach the exception handler, which says what was wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseSanmenxiaProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

internal sealed class SanmenxiaExceptionHandler(IProblemDetailsService problems, ILogger<SanmenxiaExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail, retryAfter) = Classify(exception);
        if (status >= 500 && retryAfter is null)
            logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
        else if (retryAfter is not null)
            logger.LogWarning("Dependency unavailable on {Method} {Path}: {Kind}", http.Request.Method, http.Request.Path, exception.GetType().Name);

        http.Response.StatusCode = status;
        if (retryAfter is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString();
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (exception is BadHttpRequestException { InnerException: JsonException json } && json.Path is { } path)
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [path] = [json.Message.Split(" Path:")[0]] };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static (int Status, string Title, string Detail, int? RetryAfter) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "Request body too large", "The request body is larger than this endpoint accepts.", null),
        BadHttpRequestException { InnerException: JsonException json } =>
            (400, "Malformed request body", $"The JSON body could not be read: {json.Message.Split(" Path:")[0]}", null),
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message, null),
        Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException
            or Orleans.Runtime.OrleansException { InnerException: TimeoutException } =>
            (503, "Service temporarily unavailable", "The cluster did not answer in time; retry shortly.", 2),
        NpgsqlException or Orleans.Storage.InconsistentStateException =>
            (503, "Service temporarily unavailable", "The store of record is not reachable right now; retry shortly.", 5),
        Orleans.Runtime.OrleansException { InnerException: NpgsqlException } =>
            (503, "Service temporarily unavailable", "The store of record is not reachable right now; retry shortly.", 5),
        OperationCanceledException => (499, "Request cancelled", "The client closed the request.", null),
        _ => (500, "Internal error", "An unexpected error occurred; it has been logged with the trace id.", null),
    };
}
