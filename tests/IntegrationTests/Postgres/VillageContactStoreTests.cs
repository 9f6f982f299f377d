using Npgsql;
using Sanmenxia.Persistence;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>The village_contacts table (migration 0017) behind <see cref="PostgresVillageContactStore"/>: set, replace, clear.</summary>
[Collection(PostgresCollection.Name)]
public sealed class VillageContactStoreTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_duty_phone_is_set_replaced_and_cleared_per_village()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("village_contacts");
        await using var db = NpgsqlDataSource.Create(connectionString);
        var store = new PostgresVillageContactStore(db);
        var at = new DateTimeOffset(2020, 2, 1, 9, 30, 0, TimeSpan.FromHours(8));

        Assert.Null(await store.FindAsync("411202001001"));
        await store.SetAsync(new VillageContact("411202001001", "0398-2821234", at, "village-a"));
        await store.SetAsync(new VillageContact("411202001002", "12345-678", at, "village-b"));
        await store.SetAsync(new VillageContact("411202001001", "0398-2829999", at.AddHours(1), "admin"));

        var first = await store.FindAsync("411202001001");
        Assert.Equal(("0398-2829999", "admin", at.AddHours(1)), (first!.DutyPhone, first.UpdatedBy, first.UpdatedAt));
        Assert.Equal("12345-678", (await store.FindAsync("411202001002"))!.DutyPhone);

        await store.SetAsync(new VillageContact("411202001001", "", at.AddHours(2), "admin"));
        Assert.Null(await store.FindAsync("411202001001"));
        Assert.NotNull(await store.FindAsync("411202001002"));
    }
}
