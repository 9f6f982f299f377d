namespace Sanmenxia.Requests;

/// <summary>
/// What the API stamps on a mutating request and carries to the grain in Orleans' RequestContext: the client's
/// <c>Idempotency-Key</c> (if it sent one), when the API issued the call, and the deadline after which the caller has
/// been answered already (issued + the client's response timeout). A grain that sees the call after its deadline
/// refuses it without executing (<see cref="RequestExpiredException"/>): the client was told 503 and may have retried.
/// Pure: the caller passes <c>now</c>; the RequestContext is only read and written by <see cref="Current"/>/<see cref="Stamp"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.RequestStamp")]
public sealed record RequestStamp(
    [property: Id(0)] string? IdempotencyKey,
    [property: Id(1)] DateTimeOffset IssuedAt,
    [property: Id(2)] DateTimeOffset Deadline)
{
    /// <summary>The HTTP header a client names a user action with (one key per action, the same key on every retry).</summary>
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 64;
    private const string ContextKey = "sanmenxia.stamp";

    /// <summary>1..64 characters of [A-Za-z0-9_-]; null with the reason otherwise.</summary>
    public static string? KeyError(string? key)
    {
        if (string.IsNullOrEmpty(key)) return "must be 1 to 64 characters";
        if (key.Length > MaxKeyLength) return $"must be at most {MaxKeyLength} characters";
        foreach (var c in key)
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-'))
                return "may contain only letters A-Z a-z, digits, '_' and '-'";
        return null;
    }

    /// <summary>True once <paramref name="now"/> is past the deadline: the caller has given up, the call must not run.</summary>
    public bool IsExpired(DateTimeOffset now) => now > Deadline;

    /// <summary>The stamp of the grain call being served (or about to be made), or null for calls the API did not stamp.</summary>
    public static RequestStamp? Current => RequestContext.Get(ContextKey) as RequestStamp;

    /// <summary>Carries the stamp with every grain call made from here on in this async flow (null removes it).</summary>
    public static void Stamp(RequestStamp? stamp)
    {
        if (stamp is null) RequestContext.Remove(ContextKey);
        else RequestContext.Set(ContextKey, stamp);
    }
}

/// <summary>
/// A call refused because it reached its grain after its deadline: nothing was executed. The client was answered
/// already (a 503 it may retry with the same Idempotency-Key).
/// </summary>
[GenerateSerializer, Alias("sanmenxia.RequestExpiredException")]
public sealed class RequestExpiredException : Exception
{
    public RequestExpiredException() { }
    public RequestExpiredException(string message) : base(message) { }
}
