using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Requests;

namespace Sanmenxia.Api.Hosting;

/// <summary>
/// Every mutating API request (POST, PUT, PATCH, DELETE) is stamped for its grain calls (<see cref="RequestStamp"/>): the
/// client's Idempotency-Key, if it sent one (1..64 of [A-Za-z0-9_-], else 400 naming the header), when the API issued it,
/// and its deadline, issued + the Orleans client's response timeout: by then the caller has its answer (a 503 at worst),
/// so a grain reached later, say through a resumed silo's queue, refuses the call instead of running it late.
/// Grains that keep the key (the resident, the ticket counter) answer a retry with the first outcome
/// (docs/operations.md, "Retries, deadlines and the outbox").
/// </summary>
public static class RequestStamping
{
    public static IApplicationBuilder UseSanmenxiaRequestStamps(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        var clock = services.GetRequiredKeyedService<TimeProvider>(RequestClock.Key);
        var timeout = SanmenxiaClusterOptions.From(services.GetRequiredService<IConfiguration>()).ResponseTimeout;
        return app.Use(async (http, next) =>
        {
            if (!IsMutating(http.Request.Method))
            {
                await next(http);
                return;
            }
            string? key = null;
            if (http.Request.Headers.TryGetValue(RequestStamp.Header, out var values))
            {
                key = values.Count == 1 ? values[0] : null;
                var error = values.Count > 1 ? "must be given once" : RequestStamp.KeyError(key);
                if (error is not null)
                {
                    await Results.ValidationProblem(new Dictionary<string, string[]> { [RequestStamp.Header] = [error] },
                        title: "The request has invalid fields", detail: "The Idempotency-Key header names one user action: 1 to 64 characters of "
                            + "A-Z, a-z, 0-9, '_' and '-', the same on every retry of that action.").ExecuteAsync(http);
                    return;
                }
            }
            var now = clock.GetUtcNow();
            RequestStamp.Stamp(new RequestStamp(key, now, now + timeout));
            try
            {
                await next(http);
            }
            finally
            {
                RequestStamp.Stamp(null);
            }
        });
    }

    private static bool IsMutating(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
}
