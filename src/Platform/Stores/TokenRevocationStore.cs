using System.Collections.Concurrent;

namespace Sanmenxia.Platform.Stores;

/// <summary>
/// A phone's resident tokens below <paramref name="Generation"/> stopped working at <paramref name="RevokedAt"/> (a sign-out
/// everywhere, or an erasure unlinking the phone). Keyed by the phone's pseudonymous key, never the number.
/// </summary>
public sealed record TokenRevocation(string PhoneKey, int Generation, DateTimeOffset RevokedAt);

/// <summary>What a read of the revocations since a point returned, and the point to read from next time.</summary>
/// <param name="Revocations">Rows recorded (or raised) since the asked point; may repeat rows already seen.</param>
/// <param name="NextSince">The store's own clock minus the overlap: pass it to the next read, so a row committed late is not missed.</param>
public sealed record TokenRevocationPage(IReadOnlyList<TokenRevocation> Revocations, DateTimeOffset NextSince);

/// <summary>
/// The revocation list of resident tokens (PostgreSQL's resident_token_revocations, migration 0020; in memory for tests).
/// The phone directory grain is the truth of a phone's token generation; this list is its copy that every API process
/// holds in memory, so a resident request is checked without asking the phone's grain (which made every cold clock-in
/// activate and read a second grain). Rows older than the resident token lifetime can go: every token they stopped has
/// expired by then.
/// </summary>
public interface ITokenRevocationStore
{
    /// <summary>Records that the phone's tokens below the generation stopped working (a lower generation never lowers a row).</summary>
    Task RecordAsync(string phoneKey, int generation, CancellationToken ct = default);
    /// <summary>Revocations recorded at or after <paramref name="since"/> by the store's clock (<see cref="DateTimeOffset.MinValue"/>: all).</summary>
    Task<TokenRevocationPage> ReadSinceAsync(DateTimeOffset since, CancellationToken ct = default);
    /// <summary>Deletes revocations recorded before <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct = default);
}

/// <summary>For tests and memory-provider runs only (one process: the writer and every reader share it).</summary>
public sealed class InMemoryTokenRevocationStore(TimeProvider clock) : ITokenRevocationStore
{
    private readonly ConcurrentDictionary<string, TokenRevocation> _rows = new(StringComparer.Ordinal);

    public Task RecordAsync(string phoneKey, int generation, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        _rows.AddOrUpdate(phoneKey, _ => new(phoneKey, generation, now),
            (_, row) => generation > row.Generation ? new(phoneKey, generation, now) : row);
        return Task.CompletedTask;
    }

    public Task<TokenRevocationPage> ReadSinceAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        // Read the clock first and reach a second back: a row stamped just before the read but added after the scan is seen next time.
        var next = clock.GetUtcNow() - TimeSpan.FromSeconds(1);
        return Task.FromResult(new TokenRevocationPage(_rows.Values.Where(r => r.RevokedAt >= since).ToList(), next));
    }

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        var pruned = 0;
        foreach (var row in _rows.Values.Where(r => r.RevokedAt < before))
            if (_rows.TryRemove(new KeyValuePair<string, TokenRevocation>(row.PhoneKey, row))) pruned++;
        return Task.FromResult(pruned);
    }
}
