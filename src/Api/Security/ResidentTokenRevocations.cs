using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Api.Security;

/// <summary>
/// The resident-token revocation list, held in memory by each API process and read from the store of record every
/// <see cref="AuthOptions.RevocationPollInterval"/> (only what changed since the last read). A resident request is then
/// checked without a grain call: before this, every request asked the phone's directory grain, so every cold clock-in
/// of the day activated and read a second grain (issue 20). A phone absent from the list has never signed out (or did so
/// longer ago than any token lives): every token of it is current.
/// </summary>
/// <remarks>
/// Sign-outs are rare, so the list is small (one row per phone that signed out within a token's lifetime). A sign-out
/// through this process counts at once (<see cref="Note"/>); through another, at this process's next read. When reads
/// fail for longer than <see cref="AuthOptions.RevocationMaxStaleness"/>, <see cref="Accepts"/> says "don't know" and
/// the caller asks the phone's grain, as before.
/// </remarks>
public sealed class ResidentTokenRevocations(ITokenRevocationStore store, IOptions<AuthOptions> options, TimeProvider clock,
    ILogger<ResidentTokenRevocations> logger) : BackgroundService
{
    /// <summary>Pruning the store's old rows is shared work; once an hour per process is plenty.</summary>
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);
    /// <summary>A token issued in the old generation a moment after the revocation (a sign-in racing a sign-out) lives this much longer.</summary>
    private static readonly TimeSpan IssueRace = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, TokenRevocation> _list = new(StringComparer.Ordinal);
    private readonly Lock _refreshing = new();
    private DateTimeOffset _since = DateTimeOffset.MinValue;
    private DateTimeOffset? _freshAt;
    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;
    private bool _failing;

    /// <summary>Phones on the list now (tests, metrics).</summary>
    public int Count => _list.Count;

    /// <summary>
    /// True when a token of <paramref name="tokenGeneration"/> is current for the phone, false when it was revoked; null
    /// when the list is not fresh (never read, or not read for <see cref="AuthOptions.RevocationMaxStaleness"/>).
    /// </summary>
    public bool? Accepts(string phoneKey, int tokenGeneration)
    {
        if (_freshAt is not { } freshAt || clock.GetUtcNow() - freshAt > options.Value.RevocationMaxStaleness) return null;
        return !_list.TryGetValue(phoneKey, out var revoked) || tokenGeneration >= revoked.Generation;
    }

    /// <summary>A sign-out made through this process: its old tokens stop here now, not at the next read.</summary>
    public void Note(string phoneKey, int generation) => Merge(new TokenRevocation(phoneKey, generation, clock.GetUtcNow()));

    /// <summary>One read of what changed since the last one (the background loop calls it; tests call it directly).</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        var started = clock.GetUtcNow();
        DateTimeOffset since;
        lock (_refreshing) since = _since;
        var page = await store.ReadSinceAsync(since, ct);
        foreach (var revocation in page.Revocations) Merge(revocation);
        lock (_refreshing)
        {
            if (page.NextSince > _since) _since = page.NextSince;
            if (_freshAt is null || started > _freshAt) _freshAt = started;
        }

        // Every token a row stopped has expired once the lifetime has passed since the row: forget it here, and in the
        // store a day later (another process may be a little behind).
        var expired = started - options.Value.ResidentTokenLifetime - IssueRace;
        foreach (var (phoneKey, revocation) in _list)
            if (revocation.RevokedAt < expired) _list.TryRemove(new KeyValuePair<string, TokenRevocation>(phoneKey, revocation));
        if (started - _prunedAt >= PruneEvery)
        {
            _prunedAt = started;
            var pruned = await store.PruneAsync(expired - TimeSpan.FromDays(1), ct);
            if (pruned > 0) logger.LogInformation("Resident-token revocation list: pruned {Count} rows older than a token's lifetime", pruned);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationPollInterval, clock);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
                if (_failing) logger.LogInformation("Resident-token revocation list: reading again ({Count} phones listed)", _list.Count);
                _failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Once per outage, not once a second; resident requests ask the phone grains meanwhile (after the staleness limit).
                if (!_failing) logger.LogWarning(e, "Resident-token revocation list: a read failed; resident requests ask the phone grains after {Staleness} without a read",
                    options.Value.RevocationMaxStaleness);
                _failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Merge(TokenRevocation revocation) =>
        _list.AddOrUpdate(revocation.PhoneKey, revocation, (_, known) => revocation.Generation > known.Generation ? revocation : known);
}
