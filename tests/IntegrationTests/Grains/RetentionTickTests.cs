using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Sanmenxia.Grains.Retention;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Retention;
using Sanmenxia.Silo.Hosting;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// The retention job's daily reminder tick only starts the day's run (docs/data-governance.md). At the city's size a run
/// reads the whole grain-state table for minutes; a tick that waited for it outlived the tick's response timeout every
/// night and Orleans logged it as failed (session 11's city run). Here the run's cleared-rows sweep is held at a gate,
/// so the run cannot end before the test opens it: the tick must answer all the same.
/// </summary>
public sealed class RetentionTickTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly GatedRetentionStore _store = new();
    private string? _sharedId;
    private TestCluster _cluster = null!;

    [Fact]
    public async Task The_daily_tick_answers_while_its_run_is_still_going_and_the_run_then_finishes_once_that_day()
    {
        var retention = _cluster.GrainFactory.GetGrain<IRetentionGrain>(IRetentionGrain.Key);
        Assert.Null(await retention.GetLastAsync());

        // The tick as the reminder service delivers it. Were the run awaited inside it, this call would wait at the gate
        // until the response timeout and throw.
        await Tick(retention);
        await Eventually.Until(() => Task.FromResult(_store.Held), Limit, "the run the tick started to reach the cleared-rows sweep");
        Assert.Null(await retention.GetLastAsync()); // answered between the run's steps (interleaved): the run is not over

        _store.Open();
        var report = await Eventually.Until(() => retention.GetLastAsync(), r => r is not null, Limit, "the run to finish and record its report");
        Assert.Equal(RetentionGrain.ReminderActor, report!.ActorId);
        Assert.Equal(1, _store.Sweeps);

        // Another tick the same day starts nothing: the administrator's run queued after it is the only other sweep.
        await Tick(retention);
        await retention.RunAsync("tester");
        Assert.Equal(2, _store.Sweeps);
    }

    private static Task Tick(IRetentionGrain retention) =>
        retention.AsReference<IRemindable>().ReceiveReminder(RetentionGrain.ReminderName, new TickStatus(DateTime.UtcNow, TimeSpan.FromDays(1), DateTime.UtcNow));

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        _sharedId = SiloShared<GatedRetentionStore>.Register(builder, _store);
        builder.Properties["Privacy:KeySecret"] = "retention-tick-tests-key-secret";
        builder.Properties["Orleans:Providers"] = "Memory";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        _store.Open();
        if (_cluster is not null) await _cluster.DisposeAsync();
        SiloShared<GatedRetentionStore>.Forget(_sharedId);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            // Registered first: the platform adds its in-memory retention store only where none is registered.
            silo.Services.AddSingleton<IRetentionStore>(SiloShared<GatedRetentionStore>.For(silo.Configuration));
            silo.Services.AddSanmenxiaPlatform(silo.Configuration);
            silo.Services.AddSanmenxiaExceptionSerialization();
            var memory = new SanmenxiaClusterOptions { Providers = ProviderMode.Memory };
            silo.AddSanmenxiaStorage(memory, silo.Configuration).AddSanmenxiaReminders(memory, silo.Configuration);
        }
    }

    /// <summary>A retention store with nothing to delete whose cleared-rows sweep waits until <see cref="Open"/>.</summary>
    private sealed class GatedRetentionStore : IRetentionStore
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held, _sweeps;

        public bool Held => Volatile.Read(ref _held) > 0;
        public int Sweeps => Volatile.Read(ref _sweeps);
        public void Open() => _open.TrySetResult();

        public Task<IReadOnlyList<string>> ClosedTicketsBeforeAsync(DateTimeOffset cutoff, int take, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<string>>([]);
        public Task<int> DeleteTicketRowsAsync(IReadOnlyList<string> numbers, CancellationToken ct = default) => Task.FromResult(0);
        public Task<int> DeleteResidentPassesAsync(string residentKey, int batchSize, CancellationToken ct = default) => Task.FromResult(0);

        public async Task<ClearedRowsSlice> DeleteClearedGrainStateAsync(DateTimeOffset clearedBefore, long fromPage, int pages, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _sweeps);
            Interlocked.Increment(ref _held);
            try { await _open.Task.WaitAsync(ct); }
            finally { Interlocked.Decrement(ref _held); }
            return new ClearedRowsSlice(0, null);
        }
    }
}
