using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Requests;

namespace Sanmenxia.Api.Hosting;

/// <summary>
/// Every mutating API request (POST, PUT, PATCH, DELETE) is stamped for its grain calls (<see cref="RequestStamp"/>): the
/// client's Idempotency-Key, if it sent one (1..64 of [A-Za-z0-9_-], else 400 naming the header), and, for each grain
/// call, when the API issued it and its deadline, issued + the Orleans client's response timeout: by then the caller of
/// that grain call has its answer (a timeout, a 503 at worst), so a grain reached later, say through a resumed silo's
/// queue, refuses the call instead of running it late. Per call, not per HTTP request: an import that runs a minute
/// makes many calls, each with its own response timeout. Grains that keep the key (the resident, the ticket counter)
/// answer a retry with the first outcome (docs/operations.md, "Retries, deadlines and the outbox").
/// </summary>
public static class RequestStamping
{
    /// <summary>Registers the outgoing grain call filter that gives each stamped call its own issue time and deadline.</summary>
    public static IServiceCollection AddSanmenxiaRequestStamps(this IServiceCollection services, IConfiguration configuration)
    {
        var timeout = SanmenxiaClusterOptions.From(configuration).ResponseTimeout;
        services.AddSingleton<IOutgoingGrainCallFilter>(sp => new StampEachCall(sp.GetRequiredKeyedService<TimeProvider>(RequestClock.Key), timeout));
        return services;
    }

    /// <summary>Re-stamps a stamped call as it leaves: issued now, due within the response timeout; the key stays.</summary>
    private sealed class StampEachCall(TimeProvider clock, TimeSpan timeout) : IOutgoingGrainCallFilter
    {
        public async Task Invoke(IOutgoingGrainCallContext context)
        {
            if (RequestStamp.Current is { } stamp)
            {
                var now = clock.GetUtcNow();
                RequestStamp.Stamp(stamp with { IssuedAt = now, Deadline = now + timeout });
            }
            await context.Invoke();
        }
    }

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
