using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sanmenxia.Checkpoints;
using Sanmenxia.Dashboard;
using Sanmenxia.Grains.Dashboard;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

[GenerateSerializer, Alias("sanmenxia.RegionState")]
public sealed class RegionState
{
    [Id(0)] public RegionInfo? Info { get; set; }
    /// <summary>The ticket tallies that ever reported here (pulled again on activation); written when one is new.</summary>
    [Id(120)] public HashSet<string>? TicketSources { get; set; }
    // Children's and checkpoints' counts are not stored (pulled again on activation): there are no stored "cp:"
    // pseudo-children from before checkpoints had their own input, and nothing to migrate.
}

/// <summary>
/// A township, county or the city: sums its children's latest counts and its checkpoints' totals, and pushes the total
/// to its parent at most once per upward interval (at once after a quiet interval), however often children report. Nothing of this is stored: on
/// activation the region asks its children and checkpoints, so a total always equals the sum of its inputs. It wakes
/// only when it has something to do (<see cref="WakeTimer"/>): a total to push, a dashboard update to publish, a
/// history row to write, and once after each midnight for the new day's history row.
/// </summary>
// Placed by a hash of the key over the live silos, so the roll-up tree spreads over the cluster instead of piling on
// the silo that first activated it (docs/operations.md, "Where grains live").
[Orleans.Placement.HashBasedPlacement]
public sealed partial class RegionGrain(
    [PersistentState("region", StorageNames.Default)] IPersistentState<RegionState> state,
    IOptions<DeadlineOptions> options,
    IRegionHistory history,
    DomainCalendar calendar,
    TimeScale scale,
    RollupPullThrottle pullThrottle,
    ILogger<RegionGrain> logger) : Grain, IRegionGrain
{
    private readonly Dictionary<string, (RegionCounts Counts, long Version)> _children = new(StringComparer.Ordinal);
    /// <summary>Checkpoints reporting here (a township also holds its villages'): in the total, never a line of the table.</summary>
    private readonly Dictionary<string, (CheckpointTotals Totals, long Version)> _checkpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _childNames = new(StringComparer.Ordinal);
    private readonly MonotonicVersion _publishVersion = new();
    private UpwardReporter<RegionCounts> _upward = null!;
    private HistoryWriter _history = null!;
    private WakeTimer? _wake;
    private ChildPuller? _pulls;
    private bool _publishPending = true; // a fresh activation tells the dashboards where it stands
    private long _lastPublishMs = long.MinValue / 2;

    private string Code => this.GetPrimaryKeyString();
    private DeadlineOptions Deadlines => options.Value;
    private TimeSpan Upward => Deadlines.UpwardInterval < Deadlines.RollupInterval ? Deadlines.UpwardInterval : Deadlines.RollupInterval;
    private RegionCounts Total
    {
        get
        {
            if (_recountPending) Recount();
            return _upward.Latest ?? RegionCounts.Zero;
        }
    }

    /// <summary>
    /// An input changed since the total was last summed. Reports only mark it: the sum over every child is made when the
    /// total is needed (a push, a publish, a read), at most once per upward interval under a stream of reports, instead
    /// of once per report (each sum allocates ~10 objects per child; the top own cost of the silo at the city).
    /// </summary>
    private bool _recountPending;

    private void InputChanged()
    {
        _recountPending = true;
        Schedule();
    }

    public override Task OnActivateAsync(CancellationToken ct)
    {
        _upward = new($"Region {Code}", RollupParents.ReportToParent(
            ServiceProvider.GetService<RollupParents>(), GrainFactory, Code, () => state.State.Info?.ParentCode), logger);
        _history = new(Code, history, Deadlines.HistoryInterval, logger);
        if (state.State.Info is null) return Task.CompletedTask;
        // The inputs are asked in the background, a few at a time (ChildPuller): the activation answers at once with what
        // it has, and the total climbs as they answer, instead of every village below activating at once.
        _pulls = ChildPuller.Start(ListInputsAsync, Deadlines.RollupPullsInFlight, Deadlines.RollupPullRetry,
            () => pullThrottle.EnterAsync(), $"Region {Code}", logger);
        Recount();
        Start();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Counts or an update still unsent, or children not yet asked, die with this activation unless a new one takes over
    /// (<see cref="RollupHandover"/>).
    /// </summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken ct)
    {
        _pulls?.Stop();
        if (state.State.Info is not null && _wake is not null && (_upward is { Unsent: true } || _publishPending || _recountPending || _pulls is { Pulling: true }))
            RollupHandover.ToNewActivation(() => this.AsReference<IRegionGrain>().GetCountsAsync(), $"Region {Code}", reason, logger);
        return Task.CompletedTask;
    }

    public async Task DefineAsync(RegionInfo info)
    {
        if (state.State.Info != info)
        {
            state.State.Info = info;
            await state.WriteOrForgetAsync(this);
            _upward.Resend(); // the parent may be another one now
        }
        else if (_wake is not null) return; // defined, and this activation rolls up already
        // (An unchanged define goes on when an earlier one stored the info but failed below: nothing else starts the roll-up.)
        // The directory is loaded before regions are defined: learn the children's names now.
        foreach (var child in await GrainFactory.GetGrain<IRegionDirectoryGrain>(0).GetChildrenAsync(info.Code.Value))
            _childNames[child.Code.Value] = child.Name;
        Start();
    }

    public Task<RegionInfo?> GetInfoAsync() => Task.FromResult(state.State.Info);

    public Task ReportChildAsync(string childCode, RegionCounts counts, long version)
    {
        if (_children.TryGetValue(childCode, out var known) && known.Version >= version) return Task.CompletedTask;
        if (known.Counts != counts) _publishPending = true;
        _children[childCode] = (counts, version);
        InputChanged();
        return Task.CompletedTask;
    }

    public Task ReportCheckpointAsync(CheckpointReport report)
    {
        if (_checkpoints.TryGetValue(report.CheckpointId, out var known) && known.Version >= report.Version) return Task.CompletedTask;
        if (known.Totals != report.Totals) _publishPending = true;
        _checkpoints[report.CheckpointId] = (report.Totals, report.Version);
        InputChanged();
        return Task.CompletedTask;
    }

    public Task<RegionCounts> GetCountsAsync() => Task.FromResult(Total);

    public Task<IReadOnlyList<ChildCounts>> GetChildrenAsync() =>
        Task.FromResult<IReadOnlyList<ChildCounts>>(_children
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ChildCounts(c.Key, _childNames.GetValueOrDefault(c.Key, c.Key), WithTickets(c.Key, c.Value.Counts))).ToList());

    private void Recount()
    {
        _recountPending = false;
        var total = RegionCounts.Zero;
        foreach (var (counts, _) in _children.Values) total += counts;
        var checkpoints = CheckpointTotals.Zero;
        foreach (var (totals, _) in _checkpoints.Values) checkpoints += totals;
        _upward.Update(total + new RegionCounts { Checkpoints = checkpoints, Tickets = TicketTotal() });
        Schedule();
    }

    private void Start()
    {
        _wake ??= WakeTimer.Register(this, WakeAsync);
        Schedule();
    }

    /// <summary>Arms the wake-up for the earliest pending work; with none, only for the new day after the next midnight.</summary>
    private void Schedule()
    {
        if (_wake is null || state.State.Info is null) return;
        if (_upward.DueIn(Upward) is { } pushDue) _wake.Arm(pushDue);
        if (_recountPending) _wake.Arm(_upward.NextPushIn(Upward));
        if (_publishPending)
        {
            var wait = Deadlines.RollupInterval.TotalMilliseconds - (Environment.TickCount64 - _lastPublishMs);
            _wake.Arm(wait > 0 ? TimeSpan.FromMilliseconds(wait) : TimeSpan.Zero);
        }
        if (_history.NextDue is { } historyDue) _wake.Arm(historyDue);
        var now = calendar.Now;
        _wake.Arm(scale.ToRealDelay(calendar.EndOfDay(calendar.DayOf(now)) + DayRollSpread.Offset(Code, Deadlines.SpreadAfterMidnight) - now));
    }

    /// <summary>Publishes to the dashboards (at most once per roll-up interval), writes the history, pushes up the tree.</summary>
    private async Task WakeAsync()
    {
        if (_ticketsDay != calendar.Today)
        {
            _publishPending = true; // a new day: the tallies' "today" figures start again from zero
            _recountPending = true;
        }
        if (_recountPending) Recount();
        if (_publishPending && Environment.TickCount64 - _lastPublishMs >= Deadlines.RollupInterval.TotalMilliseconds)
        {
            _lastPublishMs = Environment.TickCount64;
            await PublishAsync();
        }
        await _history.WriteDueAsync(calendar.Today, Total);
        await _upward.PushAsync();
        Schedule();
    }

    /// <summary>Coalesced publish to the command dashboards: the total and each child's line.</summary>
    private async Task PublishAsync()
    {
        _publishPending = false;
        var update = new RegionUpdate(Code, state.State.Info?.Name ?? Code, Total, await GetChildrenAsync(), _publishVersion.Next(), DateTimeOffset.UtcNow);
        try
        {
            await DashboardNotifierGrain.OnThisSilo(GrainFactory, RuntimeIdentity).PublishAsync(update);
        }
        catch (Exception e)
        {
            _publishPending = true; // try again on the next wake-up
            logger.LogWarning("Region {Region} could not publish to the dashboards: {Error}", Code, e.GetType().Name);
        }
    }
}
