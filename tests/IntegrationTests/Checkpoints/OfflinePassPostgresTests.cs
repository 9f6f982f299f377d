using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.Persistence;
using Sanmenxia.Platform.Stores;
using Xunit.Abstractions;

namespace Sanmenxia.IntegrationTests.Checkpoints;

/// <summary>
/// Issue 18 on a real PostgreSQL (migration 0014): offline passes are stored once by client id however often they are
/// uploaded, read back with their client id and review flag; the code-signing keys are stored once per key id.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OfflinePassPostgresTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static PassRecord Pass(int i, DateTimeOffset at, PassReview review = PassReview.None) =>
        new(Guid.CreateVersion7(at), "cp-411202-0001", "411202", $"rkey{i % 50}", "某*", i % 2 == 0 ? PassDirection.In : PassDirection.Out,
            at.AddSeconds(i), CodeColour.Green, PassOutcome.Allowed, "green.allowed", "staff", PassMethod.Qr, ClientId: Guid.NewGuid(), Review: review);

    [Fact]
    public async Task Offline_passes_are_stored_once_by_client_id_and_read_back_with_their_flags()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("offline");
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var store = new PostgresPassStore(db, NullLogger<PostgresPassStore>.Instance);
        var at = new DateTimeOffset(2020, 2, 3, 9, 0, 0, TimeSpan.FromHours(8));
        var passes = Enumerable.Range(0, 1000).Select(i => Pass(i, at, i == 7 ? PassReview.ColourUnknown : PassReview.None)).ToList();

        var clock = Stopwatch.StartNew();
        var first = new HashSet<Guid>();
        foreach (var batch in passes.Chunk(200)) first.UnionWith(await store.AppendOfflineAsync(batch));
        clock.Stop();
        output.WriteLine($"PostgreSQL: 1,000 offline passes in 5 batches of 200 in {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(passes.Select(p => p.ClientId!.Value).ToHashSet(), first);

        // The same upload again, and a batch that repeats a pass inside itself: nothing new.
        Assert.Empty(await store.AppendOfflineAsync(passes.Take(200).ToList()));
        Assert.Empty(await store.AppendOfflineAsync([passes[0], passes[0]]));
        Assert.Equal(1000, await store.CountForCheckpointAsync("cp-411202-0001", at.AddDays(-1), at.AddDays(1)));

        var read = await store.ForCheckpointAsync("cp-411202-0001", at.AddDays(-1), at.AddDays(1), 0, 2000);
        Assert.Equal(PassReview.ColourUnknown, read.Single(p => p.ClientId == passes[7].ClientId).Review);
        Assert.All(read, p => Assert.NotNull(p.ClientId));

        // A live pass (through the group-commit COPY) carries neither.
        await store.AppendAsync(Pass(5000, at) with { ClientId = null });
        var live = (await store.ForCheckpointAsync("cp-411202-0001", at.AddDays(-1), at.AddDays(1), 0, 2000)).Single(p => p.ClientId is null);
        Assert.Equal(PassReview.None, live.Review);
    }

    [Fact]
    public async Task A_code_signing_key_is_stored_once_per_key_id()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("codekeys");
        await using var db = NpgsqlDataSource.Create(connectionString);
        var store = new PostgresCodeSigningKeyStore(db);
        var at = new DateTimeOffset(2020, 2, 3, 0, 0, 0, TimeSpan.Zero);
        var key = new StoredCodeSigningKey("k20200130T0000Z", at.AddDays(-2), at, at.AddDays(7), at.AddDays(9), [1, 2, 3], [4, 5, 6]);
        Assert.True(await store.TryAddAsync(key));
        Assert.False(await store.TryAddAsync(key with { PublicKey = [9] }));
        var read = Assert.Single(await store.ListAsync(at));
        Assert.Equal((key.KeyId, key.VerifyUntil), (read.KeyId, read.VerifyUntil));
        Assert.Equal([1, 2, 3], read.PublicKey);
        Assert.Empty(await store.ListAsync(at.AddDays(9)));
    }
}
