using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// One in-process Orleans TestCluster silo with the project's grains on memory storage and memory reminders, and a
/// FakeTimeProvider as the domain clock, so tests drive the epidemic's days and call grains through their interfaces
/// only. Loads a small synthetic region tree (the six counties, 12 villages) and defines every region. Shared by the
/// test classes of <see cref="GrainClusterCollection"/>.
/// </summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    private string? _id;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)));
    /// <summary>Refuses a chosen node's reports to its parent (off unless a test turns it on, and back off after).</summary>
    public ParentReportFaults ParentFaults { get; } = new();
    /// <summary>Fails residents' reports to their village (off unless a test turns it on, and back off after).</summary>
    public VillageFaults VillageFaults { get; } = new();
    /// <summary>Watches (holds, fails) one region's pulls of its children's counts (off unless a test names a region).</summary>
    public ChildPullFaults PullFaults { get; } = new();
    /// <summary>The silo's village roster (in memory), whose reads a test can hold (open unless a test closes it).</summary>
    public GatedVillageRoster Roster { get; } = new();
    public TestCluster Cluster { get; private set; } = null!;
    public IGrainFactory Grains => Cluster.GrainFactory;
    public IReadOnlyList<RegionInfo> Tree { get; } = SanmenxiaRegions.GenerateSyntheticTree(2020, 12);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        _id = SiloShared<GrainClusterFixture>.Register(builder, this);
        builder.Properties["Privacy:KeySecret"] = "grain-cluster-tests-key-secret";
        builder.Properties["Orleans:Providers"] = "Memory";
        // Counts climb the tree quickly so tests that poll for them finish fast.
        builder.Properties["Deadlines:RollupInterval"] = "00:00:00.100";
        builder.Properties["Deadlines:UpwardInterval"] = "00:00:00.100";
        // Small bounds, so the restart-storm tests (RollupStormTests) see them hold on a small tree; a failed pull is asked again soon.
        builder.Properties["Deadlines:RollupPullsInFlight"] = "2";
        builder.Properties["Deadlines:RollupPullRetry"] = "00:00:00.050";
        builder.Properties["Deadlines:VillageLoadsInFlightPerSilo"] = "2";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        Assert.Equal(Tree.Count, await Grains.GetGrain<IRegionDirectoryGrain>(0).LoadAsync(Tree));
        foreach (var region in Tree)
        {
            if (region.Level == RegionLevel.Village) await Grains.GetGrain<IVillageGrain>(region.Code.Value).DefineAsync(region);
            else await Grains.GetGrain<IRegionGrain>(region.Code.Value).DefineAsync(region);
        }
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        SiloShared<GrainClusterFixture>.Forget(_id);
    }

    /// <summary>The villages of the tree, in code order.</summary>
    public IReadOnlyList<RegionInfo> Villages => Tree.Where(r => r.Level == RegionLevel.Village).OrderBy(r => r.Code).ToList();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var fixture = SiloShared<GrainClusterFixture>.For(silo.Configuration);
            // Registered first: the grain services only add a system clock when none is registered.
            silo.Services.AddKeyedSingleton<TimeProvider>(DomainClock.Key, fixture.Clock);
            silo.Services.AddSingleton<IVillageRoster>(fixture.Roster); // before the platform's in-memory one
            silo.Services.AddSanmenxiaPlatform(silo.Configuration);
            silo.Services.AddSanmenxiaExceptionSerialization();
            var memory = new SanmenxiaClusterOptions { Providers = ProviderMode.Memory };
            silo.AddSanmenxiaStorage(memory, silo.Configuration).AddSanmenxiaReminders(memory, silo.Configuration);
            silo.AddOutgoingGrainCallFilter(fixture.ParentFaults);
            silo.AddOutgoingGrainCallFilter(fixture.PullFaults);
            VillageFaults.AddTo(silo, fixture.VillageFaults);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainClusterFixture>
{
    public const string Name = "grain cluster";
}
