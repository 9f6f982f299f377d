using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.IntegrationTests.Security;

/// <summary>
/// The revocation list an API process holds (<see cref="ResidentTokenRevocations"/>) on a fake clock: what it accepts,
/// when it stops trusting itself, and when it forgets a row.
/// </summary>
public sealed class ResidentTokenRevocationsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)));
    private readonly AuthOptions _options = new();

    private (ResidentTokenRevocations List, InMemoryTokenRevocationStore Store) NewList()
    {
        var store = new InMemoryTokenRevocationStore(_clock);
        return (new ResidentTokenRevocations(store, Options.Create(_options), _clock, NullLogger<ResidentTokenRevocations>.Instance), store);
    }

    [Fact]
    public async Task Before_its_first_read_the_list_answers_dont_know_so_the_phone_grain_is_asked()
    {
        var (list, _) = NewList();
        Assert.Null(list.Accepts("phone-a", 0));
        await list.RefreshAsync();
        Assert.True(list.Accepts("phone-a", 0));
    }

    [Fact]
    public async Task A_revocation_recorded_elsewhere_stops_older_generations_at_the_next_read_and_never_newer_ones()
    {
        var (list, store) = NewList();
        await list.RefreshAsync();
        await store.RecordAsync("phone-a", 2);
        Assert.True(list.Accepts("phone-a", 0)); // not read yet

        _clock.Advance(TimeSpan.FromSeconds(1));
        await list.RefreshAsync();
        Assert.False(list.Accepts("phone-a", 0));
        Assert.False(list.Accepts("phone-a", 1));
        Assert.True(list.Accepts("phone-a", 2));
        Assert.True(list.Accepts("phone-b", 0));

        // A lower generation read later (a late row, a repeat) never lowers what the list holds.
        list.Note("phone-a", 1);
        Assert.False(list.Accepts("phone-a", 1));
    }

    [Fact]
    public async Task A_sign_out_noted_by_this_process_counts_before_any_read()
    {
        var (list, _) = NewList();
        await list.RefreshAsync();
        list.Note("phone-a", 1);
        Assert.False(list.Accepts("phone-a", 0));
        Assert.True(list.Accepts("phone-a", 1));
    }

    [Fact]
    public async Task A_list_not_read_for_longer_than_the_staleness_limit_is_not_trusted_until_a_read_succeeds()
    {
        var (list, _) = NewList();
        await list.RefreshAsync();
        _clock.Advance(_options.RevocationMaxStaleness);
        Assert.True(list.Accepts("phone-a", 0));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(list.Accepts("phone-a", 0));

        await list.RefreshAsync();
        Assert.True(list.Accepts("phone-a", 0));
    }

    [Fact]
    public async Task A_row_is_forgotten_once_every_token_it_stopped_has_expired_and_pruned_from_the_store_a_day_later()
    {
        var (list, store) = NewList();
        await store.RecordAsync("phone-a", 1);
        await list.RefreshAsync();
        Assert.Equal(1, list.Count);

        _clock.Advance(_options.ResidentTokenLifetime);
        await list.RefreshAsync();
        Assert.False(list.Accepts("phone-a", 0)); // a token issued just before the sign-out may still be valid (plus skew)

        _clock.Advance(TimeSpan.FromMinutes(6));
        await list.RefreshAsync();
        Assert.Equal(0, list.Count);
        Assert.Single((await store.ReadSinceAsync(DateTimeOffset.MinValue)).Revocations);

        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        await list.RefreshAsync();
        Assert.Empty((await store.ReadSinceAsync(DateTimeOffset.MinValue)).Revocations);
    }
}
