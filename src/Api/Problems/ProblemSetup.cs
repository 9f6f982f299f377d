using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Sanmenxia.Api.Problems.Localisation;

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
            ctx.HttpContext.RequestServices.GetRequiredService<ProblemLocaliser>().Apply(ctx);
        });
        services.AddSingleton(ProblemCatalog.Default);
        services.AddSingleton<ProblemLocaliser>();
        services.AddExceptionHandler<SanmenxiaExceptionHandler>();
        // Malformed bodies and missing parameters reach the exception handler, which says what was wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseSanmenxiaProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RetryRejectedAsync);
        return app;
    }

    /// <summary>Request bodies up to this size are buffered so that a rejected grain call can be retried once.</summary>
    private const long RetryableBodyBytes = 64 * 1024;

    /// <summary>
    /// A grain call the cluster <em>rejected</em> was never delivered to the grain (the target silo was shutting down,
    /// an activation was being moved, a gateway was closing): running the request once more turns a rolling restart's
    /// rare rejection into a slightly slower success. Anything else, notably a silo that died with the call in flight
    /// (which may have run), is not retried here: the caller gets 503 + Retry-After.
    /// The whole endpoint runs again, so calls that succeeded before the rejected one (or a grain's own nested call
    /// after it had stored its change) run twice: endpoints for which that is not harmless carry
    /// <see cref="NoRejectionRetryMetadata"/> (docs/operations.md lists which, and why).
    /// </summary>
    private static async Task RetryRejectedAsync(HttpContext http, RequestDelegate next)
    {
        var retryable = http.Request.ContentLength is null or <= RetryableBodyBytes;
        if (retryable) http.Request.EnableBuffering(RetryableBodyBytes);
        try
        {
            await next(http);
        }
        // The endpoint is read after the first run, when routing has chosen it wherever UseRouting sits in the pipeline.
        catch (Orleans.Runtime.OrleansMessageRejectionException rejection) when (retryable && !http.Response.HasStarted
            && !http.RequestAborted.IsCancellationRequested && http.GetEndpoint().AllowsRejectionRetry())
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProblemSetup))
                .LogInformation("Retrying {Method} {Path} once after a rejected grain call: {Reason}", http.Request.Method, http.Request.Path, rejection.Message);
            await Task.Delay(TimeSpan.FromMilliseconds(250), http.RequestAborted);
            http.Request.Body.Position = 0;
            // Nothing the first run set (a cookie, Retry-After, a status) may leak into the second run's answer.
            http.Response.Clear();
            await next(http);
        }
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
            logger.LogWarning("Dependency unavailable on {Method} {Path}: {Kind}: {Message}", http.Request.Method, http.Request.Path, exception.GetType().Name, exception.Message);

        http.Response.StatusCode = status;
        if (retryAfter is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString();
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (exception is BadHttpRequestException { InnerException: UnsafeTextException text })
        {
            // The control-character rule (UnsafeText): named like every other field refusal.
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [UnsafeText.FieldOf(text.Path)] = [text.Reason] };
            problem.Extensions["code"] = UnsafeText.ErrorCode;
        }
        else if (Find<UnsafeBodyException>(exception) is { } body)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { ["file"] = [$"line {body.Line} {body.Reason}"] };
            problem.Extensions["line"] = body.Line;
            problem.Extensions["code"] = UnsafeText.ErrorCode;
        }
        else if (exception is BadHttpRequestException { InnerException: JsonException json } && json.Path is { } path)
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [path] = [json.Message.Split(" Path:")[0]] };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static T? Find<T>(Exception exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    private static (int Status, string Title, string Detail, int? RetryAfter) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: UnsafeTextException } =>
            (400, "The request has invalid fields", "A text field contains a character the API refuses (see errors).", null),
        _ when Find<UnsafeBodyException>(exception) is not null =>
            (400, "The request has invalid fields", "The file contains a character the API refuses (see errors).", null),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "Request body too large", "The request body is larger than this endpoint accepts.", null),
        BadHttpRequestException { InnerException: JsonException json } =>
            (400, "Malformed request body", $"The JSON body could not be read: {json.Message.Split(" Path:")[0]}", null),
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message, null),
        // The store first: a grain whose write or activation failed on PostgreSQL reaches us as the NpgsqlException
        // itself (Orleans serializes the Npgsql namespace, see SiloHostingExtensions), wrapped, or, from a process
        // that does not allow it, as a CodecNotFoundException naming the Npgsql type.
        _ when IsStoreFailure(exception) => StoreUnavailable,
        // Reached its grain after its deadline (the client had its answer): nothing ran; retrying with the same key is safe.
        _ when Find<Sanmenxia.Requests.RequestExpiredException>(exception) is not null =>
            (503, "Service temporarily unavailable", "The request reached the cluster too late and was not executed; retry it with the same Idempotency-Key.", 1),
        Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException
            or Orleans.Runtime.OrleansException { InnerException: TimeoutException } or Orleans.Runtime.GatewayTooBusyException
            or Orleans.Runtime.Messaging.ConnectionFailedException =>
            (503, "Service temporarily unavailable", "The cluster did not answer in time; retry shortly.", 2),
        Sanmenxia.Api.Security.MessageDeliveryException =>
            (503, "Message not sent", "The code could not be sent by SMS right now; ask again shortly.", 30),
        OperationCanceledException => (499, "Request cancelled", "The client closed the request.", null),
        _ => (500, "Internal error", "An unexpected error occurred; it has been logged with the trace id.", null),
    };

    private static readonly (int, string, string, int?) StoreUnavailable =
        (503, "Service temporarily unavailable", "The store of record is not reachable right now; retry shortly.", 5);

    private static bool IsStoreFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException or Orleans.Storage.InconsistentStateException) return true;
            if (e is Orleans.Serialization.CodecNotFoundException && e.Message.Contains("Npgsql", StringComparison.Ordinal)) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStoreFailure)) return true;
        }
        return false;
    }
}
