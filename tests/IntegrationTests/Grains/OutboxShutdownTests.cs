using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Core.Internal;
using Orleans.TestingHost;
using Sanmenxia.Identity;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Options;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Villages;
using Xunit.Abstractions;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// The resident's outbox when its activation ends in the middle of its work (docs/operations.md, "Retries, deadlines and
/// the outbox"): a delivery acknowledged late goes on after the request that started it, and forgets the outbox
/// reminder; if the activation ends meanwhile (it left, was collected, or the silo stops), the activation's services are
/// disposed under it. That is expected and logs nothing above Debug; a real failure to forget the reminder still logs.
/// The reminder registry is gated (<see cref="GatedReminders"/>) to hold the outbox inside that call.
/// </summary>
public sealed class OutboxShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly Run _run = new();
    private string? _runId;
    private readonly RegionInfo _village = SanmenxiaRegions.GenerateSyntheticTree(2020, 12).First(r => r.Level == RegionLevel.Village);
    private TestCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.GrainFactory;

    [Fact]
    public async Task An_activation_that_ends_while_its_outbox_forgets_the_reminder_logs_no_disposed_object()
    {
        var resident = await ResidentWithLateAcknowledgementAsync();

        // The delivery is acknowledged; the outbox goes on to forget its reminder and waits inside that call, while the
        // activation ends under it and its services are disposed.
        _run.Reminders.Close();
        _run.Faults.Recover();
        await Eventually.Until(() => Task.FromResult(_run.Reminders.Held > 0), Limit, "the outbox to look its reminder up");
        await resident.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.Until(async () => await Grains.GetGrain<IManagementGrain>(0).GetGrainActivationCount((GrainReference)resident) == 0,
            Limit, "the resident's activation to end");
        var before = _run.Logs.Entries.Count;
        _run.Reminders.Open();

        // The outbox's call ends in the disposed services of the ended activation: expected, so at most a Debug line.
        var said = await Eventually.Until(() => Task.FromResult(_run.Logs.Entries.Skip(before).Where(IsAboutTheReminder).ToList()), e => e.Count > 0,
            Limit, "the outbox to finish with its reminder");
        Dump();
        Assert.All(said, e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.DoesNotContain(_run.Logs.Entries, e => e.Level >= LogLevel.Information
            && (e.Message.Contains(nameof(ObjectDisposedException), StringComparison.Ordinal) || e.Exception is ObjectDisposedException));
        // The report itself was delivered before: the village counts the application.
        Assert.Equal(1, (await Grains.GetGrain<IVillageGrain>(_village.Code.Value).GetCountsAsync()).Applied);
    }

    private static bool IsAboutTheReminder(LogRecorder.Entry e) =>
        e.Category.StartsWith("Sanmenxia.Grains.Residents", StringComparison.Ordinal) && e.Message.Contains("outbox reminder", StringComparison.Ordinal);

    [Fact]
    public async Task A_real_failure_to_forget_the_outbox_reminder_is_still_logged()
    {
        await ResidentWithLateAcknowledgementAsync();

        _run.Reminders.Close();
        _run.Faults.Recover();
        await Eventually.Until(() => Task.FromResult(_run.Reminders.Held > 0), Limit, "the outbox to look its reminder up");
        _run.Reminders.Open(new InvalidOperationException("test: the reminder table is failing"));

        var said = await Eventually.Until(() => Task.FromResult(_run.Logs.Entries.Where(IsAboutTheReminder).ToList()), e => e.Count > 0, Limit, "the failure to be logged");
        Assert.Contains(said, x => x.Level == LogLevel.Information && x.Message.Contains("outbox reminder stays registered", StringComparison.Ordinal)
            && x.Message.Contains(nameof(InvalidOperationException), StringComparison.Ordinal));
    }

    /// <summary>
    /// A resident whose application reached a hung village: the answer came after the outbox's bound, the report is
    /// pending with the outbox reminder registered, and the delivery is still waiting for the village (until Recover).
    /// </summary>
    private async Task<IResidentGrain> ResidentWithLateAcknowledgementAsync()
    {
        var key = "r" + Guid.NewGuid().ToString("N")[..26];
        var id = ResidentIdNumber.Create("411202", new DateOnly(1971, 2, 3), 123).Value;
        var resident = Grains.GetGrain<IResidentGrain>(key);
        Assert.Equal(RegistrationOutcome.Created, await resident.RegisterAsync(
            new ResidentRegistration(id, "关停", null, _village.Code.Value, "h-" + key, Actor.Staff("tester", "village"))));
        await Eventually.Until(() => Grains.GetGrain<IVillageGrain>(_village.Code.Value).HasResidentAsync(key), Limit, "the village to list the resident");
        _run.Faults.Set(VillageFaults.Mode.Hang);
        Assert.True((await resident.ApplyAsync(36.5m, true, Actor.Staff("tester", "village"))).Accepted);
        return resident;
    }

    private void Dump()
    {
        foreach (var e in _run.Logs.Entries.Where(e => e.Category.StartsWith("Sanmenxia", StringComparison.Ordinal) || e.Level >= LogLevel.Warning))
            output.WriteLine(e.ToString());
    }

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        _runId = SiloShared<Run>.Register(builder, _run);
        builder.Properties["Privacy:KeySecret"] = "outbox-shutdown-tests-key-secret";
        builder.Properties["Orleans:Providers"] = "Memory";
        builder.Properties["Orleans:MinimumReminderPeriod"] = "00:00:01";
        builder.Properties["Requests:VillageReportWait"] = "00:00:00.200";
        // The retry timer stays out of the way (a tick would join the delivery the test holds): one attempt, one reminder.
        builder.Properties["Requests:VillageReportRetry"] = "00:05:00";
        builder.Properties["Requests:OutboxReminderPeriod"] = "00:05:00";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await Grains.GetGrain<IVillageGrain>(_village.Code.Value).DefineAsync(_village);
    }

    public async Task DisposeAsync()
    {
        _run.Faults.Recover();
        _run.Reminders.Open();
        if (_cluster is not null) await _cluster.DisposeAsync();
        SiloShared<Run>.Forget(_runId);
    }

    private sealed class Run
    {
        public VillageFaults Faults { get; } = new();
        public GatedReminders Reminders { get; } = new();
        public LogRecorder Logs { get; } = new();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var run = SiloShared<Run>.For(silo.Configuration);
            silo.Services.AddSanmenxiaPlatform(silo.Configuration);
            silo.Services.AddSanmenxiaExceptionSerialization();
            var memory = new SanmenxiaClusterOptions { Providers = ProviderMode.Memory, MinimumReminderPeriod = TimeSpan.FromSeconds(1) };
            silo.AddSanmenxiaStorage(memory, silo.Configuration).AddSanmenxiaReminders(memory, silo.Configuration);
            GatedReminders.AddTo(silo, run.Reminders);
            VillageFaults.AddTo(silo, run.Faults);
            silo.Services.AddLogging(logging => logging.AddProvider(run.Logs).AddFilter<LogRecorder>("Sanmenxia", LogLevel.Debug));
        }
    }
}
