using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.KeyPersons;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Trips;
using Sanmenxia.Villages;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>
/// Every contract the API reads crosses a real wire here: an external Orleans client (as the API runs in
/// production) calls a PostgreSQL-backed silo. A co-hosted silo short-circuits serialization, so only this
/// catches a contract the serializer cannot carry (e.g. a generic type whose alias lacks its arity).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WireContractTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Contracts_round_trip_between_an_external_client_and_a_silo()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("wire");
        var clusterId = "wire-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await SanmenxiaHost.StartAsync(connectionString, clusterId);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = clusterId; });
            client.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
        });
        using var clientHost = builder.Build();
        await clientHost.StartAsync();
        var grains = clientHost.Services.GetRequiredService<IClusterClient>();

        var tree = SanmenxiaRegions.GenerateSyntheticTree(2020, 12);
        var village = tree.First(r => r.Level == RegionLevel.Village);
        Assert.Equal(tree.Count, await grains.GetGrain<IRegionDirectoryGrain>(0).LoadAsync(tree));
        await grains.GetGrain<IVillageGrain>(village.Code.Value).DefineAsync(village);
        Assert.Equal(village, await grains.GetGrain<IVillageGrain>(village.Code.Value).GetInfoAsync());

        var key = "r" + Guid.NewGuid().ToString("N")[..26];
        var resident = grains.GetGrain<IResidentGrain>(key);
        var id = Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1988, 8, 8), 88).Value;
        Assert.Equal(RegistrationOutcome.Created, await resident.RegisterAsync(
            new ResidentRegistration(id, "线上人", "13800001234", village.Code.Value, "h-wire", Actor.Staff("t", "admin"))));
        Assert.True((await resident.ApplyAsync(36.6m, true, Actor.Self(key))).Accepted);
        var need = await resident.AddNeedAsync(NeedKind.Food, "rice", Actor.Self(key));
        Assert.Equal(NeedStatus.Open, need.Status);
        var entry = await resident.AddKeyPersonEntryAsync(new NewKeyPersonEntry(KeyPersonCategory.FromWuhan,
            DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-2)), "武汉", ControlMeasure.HomeIsolation, null, null, "test", false), Actor.Staff("t", "village"));
        Assert.True(entry.Accepted);
        var trip = new TripId(TravelMode.Train, "G1234", DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)));
        var (saved, matches) = await resident.SaveTripAsync(trip, new SeatInfo(3, 10, "10F"));
        Assert.Equal(trip, saved.Trip);
        Assert.Empty(matches);

        var overview = await resident.GetOverviewAsync();
        Assert.Equal("线上人", overview!.Profile.Name);
        Assert.Single(overview.Needs);
        Assert.NotEmpty(overview.Code.History);
        Assert.Single(await resident.GetKeyPersonEntriesAsync());

        var villageGrain = grains.GetGrain<IVillageGrain>(village.Code.Value);
        var page = await villageGrain.ListResidentsAsync(new VillageResidentFilter(), 0, 50);
        Assert.Equal(1, page.Total);
        Assert.Equal(key, page.Items[0].ResidentKey);
        var counts = await villageGrain.GetCountsAsync();
        Assert.Equal(1, counts.KeyPersonDetail.FromWuhan.Open);
        Assert.Single(await villageGrain.GetKeyPersonResidentsAsync());
        // The village reports to its township on its roll-up timer: wait for that (bounded), then judge.
        var township = grains.GetGrain<IRegionGrain>(village.ParentCode!.Value.Value);
        await Eventually.Assert(async () => Assert.Contains(await township.GetChildrenAsync(), c => c.Code == village.Code.Value),
            TimeSpan.FromSeconds(20), "the village to report to its township");
        var query = await grains.GetGrain<ITripGrain>(trip.Key).QueryAsync(new SeatInfo(3, 11, null));
        Assert.Equal(TripRisk.None, query.Risk);

        await clientHost.StopAsync();
    }
}
