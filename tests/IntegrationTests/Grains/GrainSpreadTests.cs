using Orleans.TestingHost;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Options;
using Sanmenxia.Regions;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// Villages, regions and checkpoints are placed by a hash of their key (HashBasedPlacement), so on a 3-silo cluster the
/// roll-up tree spreads over the silos instead of staying where it was first called from (issue 21, item 6).
/// </summary>
public sealed class GrainSpreadTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private readonly IReadOnlyList<RegionInfo> _tree = SanmenxiaRegions.GenerateSyntheticTree(2021, 24);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.Properties["Privacy:KeySecret"] = "grain-spread-tests-key-secret-0123456789";
        builder.Properties["Orleans:Providers"] = "Memory";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Villages_and_regions_called_from_one_client_land_on_more_than_one_silo()
    {
        var grains = _cluster.GrainFactory;
        Assert.Equal(_tree.Count, await grains.GetGrain<IRegionDirectoryGrain>(0).LoadAsync(_tree));
        // Regions first: a region's activation pulls its children's counts, so villages are first activated from inside
        // whichever silo hosts their township (where a local-preferring placement would pile them up).
        foreach (var region in _tree.Where(r => r.Level != RegionLevel.Village))
            await grains.GetGrain<IRegionGrain>(region.Code.Value).DefineAsync(region);
        foreach (var village in _tree.Where(r => r.Level == RegionLevel.Village))
            await grains.GetGrain<IVillageGrain>(village.Code.Value).DefineAsync(village);

        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        int SilosHosting(string type) => statistics.Where(s => s.GrainType.Contains(type, StringComparison.Ordinal) && s.ActivationCount > 0)
            .Select(s => s.SiloAddress).Distinct().Count();
        int Activations(string type) => statistics.Where(s => s.GrainType.Contains(type, StringComparison.Ordinal)).Sum(s => s.ActivationCount);

        Assert.Equal(_tree.Count(r => r.Level == RegionLevel.Village), Activations("VillageGrain"));
        Assert.True(SilosHosting("VillageGrain") > 1, $"all villages on one silo: {Describe(statistics, "VillageGrain")}");
        Assert.True(SilosHosting("RegionGrain") > 1, $"all regions on one silo: {Describe(statistics, "RegionGrain")}");
    }

    private static string Describe(IEnumerable<SimpleGrainStatistic> statistics, string type) => string.Join(", ",
        statistics.Where(s => s.GrainType.Contains(type, StringComparison.Ordinal)).Select(s => $"{s.SiloAddress}: {s.ActivationCount}"));

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.Services.AddSanmenxiaPlatform(silo.Configuration);
            silo.Services.AddSanmenxiaExceptionSerialization();
            var memory = new SanmenxiaClusterOptions { Providers = ProviderMode.Memory };
            silo.AddSanmenxiaStorage(memory, silo.Configuration).AddSanmenxiaReminders(memory, silo.Configuration);
        }
    }
}
