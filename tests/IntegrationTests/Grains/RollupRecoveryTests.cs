using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;
using Sanmenxia.Grains;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Villages;
using Xunit.Abstractions;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// A parent that <em>received</em> a child's counts and died with its silo before pushing them further up
/// (docs/dashboard.md, "Recovery"): the child holds them as delivered and nothing calls the parent, so only the
/// surviving silo's reaction to the death (Sanmenxia.Grains.Regions.RollupRecovery) can bring a new activation of the
/// parent, which pulls its children and pushes the total to the grandparent. Two in-process silos share their grain
/// state and village rosters (as PostgreSQL would), so the death loses only what lived in memory.
/// </summary>
public sealed class RollupRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);
    /// <summary>
    /// Failure detection (1 s probes) declares the killed silo dead in a few seconds. The township's new activation then
    /// waits for the test cluster's grain directory, which holds the dead silo's range under a lease for about 22 s
    /// ("put under a lease until" in the log); the push came 26 s after the kill on the shared machine.
    /// </summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(60);

    private readonly Run _run = new();
    private string? _runId;
    private TestCluster _cluster = null!;
    /// <summary>Large enough (about 22 townships) that some township and its county land on different silos either way round.</summary>
    private readonly IReadOnlyList<RegionInfo> _tree = SanmenxiaRegions.GenerateSyntheticTree(2020, 600);

    private IGrainFactory Grains => _cluster.GrainFactory;

    [Fact]
    public async Task A_township_that_died_holding_a_villages_counts_is_woken_when_its_silo_is_declared_dead_and_its_county_gets_them()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Step(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
        var primary = _cluster.Primary!.SiloAddress;
        var victim = _cluster.SecondarySilos[0]!.SiloAddress;
        var (villageInfo, townshipCode, countyCode) = await FindAsync(primary, victim);
        var township = Grains.GetGrain<IRegionGrain>(townshipCode.Value);
        var county = Grains.GetGrain<IRegionGrain>(countyCode.Value);
        var townshipBefore = await township.GetCountsAsync();
        var countyBefore = await county.GetCountsAsync();
        Step($"township {townshipCode} on {victim} (to kill), county {countyCode} and village {villageInfo.Code} on {primary}");

        // The township takes the village's new counts, but its push to the county fails (still retried by the activation).
        _run.Tap.Watch(townshipCode.Value);
        _run.Tap.Refusing = true;
        await Grains.GetGrain<IVillageGrain>(villageInfo.Code.Value).ReportAsync(Summary("r" + Guid.NewGuid().ToString("N")[..26]));
        var refused = await Eventually.Until(() => Task.FromResult(_run.Tap.Reports()),
            r => r.Any(x => x.Counts.Residents == townshipBefore.Residents + 1), Limit, "the township's push of the new total to fail");
        var dead = refused.First(x => x.Counts.Residents == townshipBefore.Residents + 1).Activation;
        Assert.Equal(countyBefore.Residents, (await county.GetCountsAsync()).Residents);
        Step("the township holds the new total, its push refused");

        // The township's silo crashes: nothing leaves it any more (no handover from OnDeactivateAsync), and it stops.
        _run.Tap.Crash(victim);
        _run.Tap.Refusing = false;
        await _cluster.KillSiloAsync(_cluster.SecondarySilos[0]!);
        Step("killed");
        await Eventually.Until(async () => (await Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false))
            .TryGetValue(victim, out var status) && status == SiloStatus.Dead, RecoveryLimit, "the killed silo to be declared dead");
        Step("declared dead");

        // Nobody calls the township from here on (the test reads only what its reports carried): only the survivor's
        // reaction to the death can bring a new activation that pushes the total.
        var delivered = await Eventually.Until(() => Task.FromResult(_run.Tap.Reports()),
            r => r.Any(x => x.Delivered && x.Activation != dead && x.Counts.Residents == townshipBefore.Residents + 1), RecoveryLimit,
            "a new activation of the township to push the total its dead activation held");
        Step("a new activation of the township pushed the total");
        Assert.All(delivered.Where(x => x.Delivered), x => Assert.Equal(primary, x.Silo));
        await Eventually.Until(() => county.GetCountsAsync(), c => c.Residents == countyBefore.Residents + 1, Limit, "the county to count the resident");
    }

    /// <summary>A township on the silo to kill whose county, and one of whose villages, are on the surviving (primary) silo.</summary>
    private async Task<(RegionInfo Village, RegionCode Township, RegionCode County)> FindAsync(SiloAddress primary, SiloAddress victim)
    {
        var management = Grains.GetGrain<IManagementGrain>(0);
        async Task<SiloAddress?> SiloOf(IAddressable grain) => await management.GetActivationAddress(grain);
        foreach (var township in _tree.Where(r => r.Level == RegionLevel.Township))
        {
            var countyCode = township.ParentCode!.Value;
            if (!victim.Equals(await SiloOf(Grains.GetGrain<IRegionGrain>(township.Code.Value)))) continue;
            if (!primary.Equals(await SiloOf(Grains.GetGrain<IRegionGrain>(countyCode.Value)))) continue;
            foreach (var village in _tree.Where(r => r.ParentCode == township.Code))
                if (primary.Equals(await SiloOf(Grains.GetGrain<IVillageGrain>(village.Code.Value))))
                    return (village, township.Code, countyCode);
        }
        throw new InvalidOperationException("No township on the secondary silo with its county and a village on the primary: enlarge the tree.");
    }

    private static ResidentSummary Summary(string key) => TestSummaries.ClockedInToday(key, DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        _runId = SiloShared<Run>.Register(builder, _run);
        builder.Properties["Privacy:KeySecret"] = "rollup-recovery-tests-key-secret";
        builder.Properties["Orleans:Providers"] = "Memory";
        builder.Properties["Deadlines:RollupInterval"] = "00:00:00.100";
        builder.Properties["Deadlines:UpwardInterval"] = "00:00:00.100";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();

        Assert.Equal(_tree.Count, await Grains.GetGrain<IRegionDirectoryGrain>(0).LoadAsync(_tree));
        foreach (var region in _tree)
        {
            if (region.Level == RegionLevel.Village) await Grains.GetGrain<IVillageGrain>(region.Code.Value).DefineAsync(region);
            else await Grains.GetGrain<IRegionGrain>(region.Code.Value).DefineAsync(region);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var entry in _run.Logs.Entries.Where(e => e.Level >= LogLevel.Warning || e.Category.StartsWith("Sanmenxia", StringComparison.Ordinal)))
            output.WriteLine(entry.ToString());
        if (_cluster is not null) await _cluster.DisposeAsync();
        SiloShared<Run>.Forget(_runId);
    }

    /// <summary>What the silos of one test share: grain state, village rosters, the report tap and the log.</summary>
    private sealed class Run
    {
        public SharedGrainStorage.Store Storage { get; } = new();
        public InMemoryVillageRoster Roster { get; } = new();
        public InMemoryRegionHistory History { get; } = new();
        public RollupTap Tap { get; } = new();
        public LogRecorder Logs { get; } = new();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var run = SiloShared<Run>.For(silo.Configuration);
            // Registered first: the platform adds its per-process in-memory stores only where none is registered.
            silo.Services.AddSingleton<IVillageRoster>(run.Roster);
            silo.Services.AddSingleton<IRegionHistory>(run.History);
            silo.Services.AddSanmenxiaPlatform(silo.Configuration);
            silo.Services.AddSanmenxiaExceptionSerialization();
            silo.Services.AddGrainStorage(StorageNames.Default, (services, _) => new SharedGrainStorage(run.Storage, services.GetRequiredService<DeepCopier>()));
            silo.UseInMemoryReminderService();
            silo.AddSanmenxiaFailureDetection(silo.Configuration);
            silo.Services.AddSingleton<IOutgoingGrainCallFilter>(services => new RollupTap.Filter(run.Tap, services.GetRequiredService<ILocalSiloDetails>()));
            silo.AddSanmenxiaRollupRecovery();
            silo.Services.AddLogging(logging => logging.AddProvider(run.Logs));
        }
    }
}
