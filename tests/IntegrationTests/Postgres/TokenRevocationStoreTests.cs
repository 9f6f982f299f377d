using Npgsql;
using Sanmenxia.Persistence;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>The resident_token_revocations table (migration 0020) behind <see cref="PostgresTokenRevocationStore"/>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TokenRevocationStoreTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_generation_only_rises_reads_overlap_and_old_rows_are_pruned()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("token_revocations");
        await using var db = NpgsqlDataSource.Create(connectionString);
        var store = new PostgresTokenRevocationStore(db);

        var empty = await store.ReadSinceAsync(DateTimeOffset.MinValue);
        Assert.Empty(empty.Revocations);

        await store.RecordAsync("phone-a", 2);
        await store.RecordAsync("phone-a", 1); // late or repeated: never lowers
        await store.RecordAsync("phone-b", 1);
        var all = await store.ReadSinceAsync(DateTimeOffset.MinValue);
        Assert.Equal([("phone-a", 2), ("phone-b", 1)], all.Revocations.Select(r => (r.PhoneKey, r.Generation)).OrderBy(r => r.PhoneKey));

        // The next read starts before this one's clock, so a row committed a moment after its stamp is not missed.
        Assert.True(all.NextSince < all.Revocations.Max(r => r.RevokedAt));
        await store.RecordAsync("phone-c", 1);
        var next = await store.ReadSinceAsync(all.NextSince);
        Assert.Contains(next.Revocations, r => r.PhoneKey == "phone-c");

        // Nothing is younger than a minute from now; only rows before the bound go.
        Assert.Equal(0, await store.PruneAsync(DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.Equal(3, await store.PruneAsync(DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Empty((await store.ReadSinceAsync(DateTimeOffset.MinValue)).Revocations);
    }
}
