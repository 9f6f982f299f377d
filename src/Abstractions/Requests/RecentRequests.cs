namespace Sanmenxia.Requests;

/// <summary>
/// An action this grain executed under an Idempotency-Key, remembered with what a retry must answer: the operation
/// (a key reused for another action is not a retry of this one), when, and the id of what it created, if anything.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.RememberedRequest")]
public sealed record RememberedRequest(
    [property: Id(0)] string Key,
    [property: Id(1)] string Operation,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string? ResultId = null);

/// <summary>
/// The bounded ring of a grain's recently executed keyed requests, stored with the grain's state so that the effect and
/// its memory are written together: a retry finds the first outcome instead of executing twice. Entries older than the
/// window, and beyond <c>capacity</c> (oldest first), are forgotten. Pure: the caller passes <c>now</c>.
/// </summary>
public sealed class RecentRequests(List<RememberedRequest> entries, TimeSpan window, int capacity)
{
    public IReadOnlyList<RememberedRequest> Items => entries;

    /// <summary>The earlier execution of this key and operation within the window, or null (execute it).</summary>
    public RememberedRequest? Find(string? key, string operation, DateTimeOffset now)
    {
        if (key is null) return null;
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            var e = entries[i];
            if (e.Key == key && e.Operation == operation && now - e.At <= window) return e;
        }
        return null;
    }

    /// <summary>Remembers an execution (no-op without a key), forgetting what fell out of the window or the ring.</summary>
    public void Remember(string? key, string operation, DateTimeOffset now, string? resultId = null)
    {
        entries.RemoveAll(e => now - e.At > window);
        if (key is null) return;
        entries.Add(new RememberedRequest(key, operation, now, resultId));
        if (entries.Count > capacity) entries.RemoveRange(0, entries.Count - capacity);
    }
}
