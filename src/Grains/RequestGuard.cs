using Sanmenxia.Platform.Options;
using Sanmenxia.Requests;

namespace Sanmenxia.Grains;

/// <summary>
/// How a grain honours the API's <see cref="RequestStamp"/>: a call that arrives after its deadline (plus the allowed clock
/// skew) is refused before it executes, and the keyed requests it remembers are judged on the same real-time clock.
/// </summary>
public sealed class RequestGuard(TimeProvider clock, RequestOptions options)
{
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The Idempotency-Key of the call being served, if the client sent one.</summary>
    public static string? Key => RequestStamp.Current?.IdempotencyKey;

    /// <summary>Throws <see cref="RequestExpiredException"/> if the call being served is stamped and past its deadline.</summary>
    public void ThrowIfExpired(string what)
    {
        if (RequestStamp.Current is { } stamp && stamp.IsExpired(Now - options.DeadlineSkew))
            throw new RequestExpiredException($"{what} arrived {(Now - stamp.Deadline).TotalSeconds:0.0} s after its deadline and was not executed; "
                + "the client was answered already and may retry with the same Idempotency-Key.");
    }

    /// <summary>The grain's remembered keyed requests (stored in its state), bounded by the configured window and capacity.</summary>
    public RecentRequests Over(List<RememberedRequest> entries) => new(entries, options.IdempotencyWindow, options.IdempotencyCapacity);
}
