using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// A TestCluster silo for retry safety and the resident's outbox: memory storage and reminders, a fake domain clock, a
/// fake request clock (deadlines and idempotency windows, <see cref="RequestClock"/>), the village fault filter
/// (<see cref="VillageFaults"/>), and a short outbox wait and retry so the tests run in seconds. One village is defined.
/// </summary>
public sealed class OutboxClusterFixture : IAsyncLifetime
{
    private string? _id;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)));
    public FakeTimeProvider RequestClock { get; } = new(new DateTimeOffset(2020, 2, 1, 1, 0, 0, TimeSpan.Zero));
    public VillageFaults Faults { get; } = new();
    public TestCluster Cluster { get; private set; } = null!;
    public IGrainFactory Grains => Cluster.GrainFactory;
    public RegionInfo Village { get; } = SanmenxiaRegions.GenerateSyntheticTree(2020, 12).First(r => r.Level == RegionLevel.Village);

    /// <summary>What the outbox waits for a village before answering, in this cluster.</summary>
    public static readonly TimeSpan ReportWait = TimeSpan.FromMilliseconds(200);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        _id = SiloShared<OutboxClusterFixture>.Register(builder, this);
        builder.Properties["Privacy:KeySecret"] = "outbox-tests-key-secret";
        builder.Properties["Orleans:Providers"] = "Memory";
        builder.Properties["Orleans:MinimumReminderPeriod"] = "00:00:01";
        builder.Properties["Requests:VillageReportWait"] = ReportWait.ToString();
        builder.Properties["Requests:VillageReportRetry"] = "00:00:00.300";
        builder.Properties["Requests:OutboxReminderPeriod"] = "00:00:02";
        builder.Properties["Deadlines:RollupInterval"] = "00:00:00.100";
        builder.Properties["Deadlines:UpwardInterval"] = "00:00:00.100";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await Grains.GetGrain<IVillageGrain>(Village.Code.Value).DefineAsync(Village);
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        SiloShared<OutboxClusterFixture>.Forget(_id);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var fixture = SiloShared<OutboxClusterFixture>.For(silo.Configuration);
            // Registered first: the platform only adds system clocks when none is registered.
            silo.Services.AddKeyedSingleton<TimeProvider>(DomainClock.Key, fixture.Clock);
            silo.Services.AddKeyedSingleton<TimeProvider>(Sanmenxia.Platform.Time.RequestClock.Key, fixture.RequestClock);
            silo.Services.AddSanmenxiaPlatform(silo.Configuration);
            silo.Services.AddSanmenxiaExceptionSerialization();
            var memory = new SanmenxiaClusterOptions { Providers = ProviderMode.Memory, MinimumReminderPeriod = TimeSpan.FromSeconds(1) };
            silo.AddSanmenxiaStorage(memory, silo.Configuration).AddSanmenxiaReminders(memory, silo.Configuration);
            VillageFaults.AddTo(silo, fixture.Faults);
        }
    }
}
