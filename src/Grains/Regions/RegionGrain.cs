using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sanmenxia.Grains.Regions;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;
using Microsoft.Extensions.Options;
using Sanmenxia.Checkpoints;
using Sanmenxia.Dashboard;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

[GenerateSerializer, Alias("sanmenxia.RegionState")]
public sealed class RegionState
{
    [Id(0)] public RegionInfo? Info { get; set; }
}

/// <summary>
/// A township, county or the city: sums its children's latest counts and pushes the total to its parent at
/// most once per roll-up interval, however often children report. The children's counts are not stored:
/// on activation the region asks its children, so a total always equals the sum of its children.
/// </summary>
public sealed class RegionGrain(
    [PersistentState("region", StorageNames.Default)] IPersistentState<RegionState> state,
    IOptions<DeadlineOptions> options,
    IRegionHistory history,
    DomainCalendar calendar,
    ILogger<RegionGrain> logger) : Grain, IRegionGrain
{
    private TimeSpan Upward => options.Value.UpwardInterval < options.Value.RollupInterval ? options.Value.UpwardInterval : options.Value.RollupInterval;
    private long _lastPublishMs = long.MinValue / 2;
    private HistoryThrottle? _historyThrottle;
    private HistoryThrottle HistoryThrottle => _historyThrottle ??= new(options.Value.HistoryInterval);
    private readonly Dictionary<string, (RegionCounts Counts, long Version)> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _childNames = new(StringComparer.Ordinal);
    private RegionCounts _total = RegionCounts.Zero;
    private long _version;
    private bool _dirty;
    private IGrainTimer? _pushTimer;
    private bool _publishPending = true; // a fresh activation tells the dashboards where it stands
    private long _publishVersion;

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        if (state.State.Info is null) return;
        var code = this.GetPrimaryKeyString();
        var children = await GrainFactory.GetGrain<IRegionDirectoryGrain>(0).GetChildrenAsync(code);
        var pulls = children.Select(async child =>
        {
            _childNames[child.Code.Value] = child.Name;
            var counts = child.Level == RegionLevel.Village
                ? await GrainFactory.GetGrain<IVillageGrain>(child.Code.Value).GetCountsAsync()
                : await GrainFactory.GetGrain<IRegionGrain>(child.Code.Value).GetCountsAsync();
            return (child.Code.Value, counts);
        });
        foreach (var (child, counts) in await Task.WhenAll(pulls))
            if (!_children.ContainsKey(child)) _children[child] = (counts, 0);
        // Checkpoints report here as pseudo-children "cp:{id}" (a township also holds its villages' checkpoints).
        var checkpoints = await GrainFactory.GetGrain<ICheckpointDirectoryGrain>(0).GetReportingToAsync(code);
        var checkpointPulls = checkpoints.Select(async cp =>
            (CheckpointRules.ChildPrefix + cp.Id, new RegionCounts { Checkpoints = await GrainFactory.GetGrain<ICheckpointGrain>(cp.Id).GetTotalsAsync() }));
        foreach (var (child, counts) in await Task.WhenAll(checkpointPulls))
            if (!_children.ContainsKey(child)) _children[child] = (counts, 0);
        Recount();
        _pushTimer = this.RegisterGrainTimer(static (grain, _) => grain.PushAsync(), this,
            new GrainTimerCreationOptions { DueTime = Upward, Period = Upward });
    }

    public async Task DefineAsync(RegionInfo info)
    {
        if (state.State.Info != info)
        {
            state.State.Info = info;
            await state.WriteOrForgetAsync(this);
        }
        else if (_pushTimer is not null) return; // defined, and this activation pushes already
        // (An unchanged define goes on when an earlier one stored the info but failed below: nothing else starts the timer.)
        // The directory is loaded before regions are defined: learn the children's names now.
        foreach (var child in await GrainFactory.GetGrain<IRegionDirectoryGrain>(0).GetChildrenAsync(info.Code.Value))
            _childNames[child.Code.Value] = child.Name;
        _pushTimer ??= this.RegisterGrainTimer(static (grain, _) => grain.PushAsync(), this,
            new GrainTimerCreationOptions { DueTime = Upward, Period = Upward });
    }

    public Task<RegionInfo?> GetInfoAsync() => Task.FromResult(state.State.Info);

    public Task ReportChildAsync(string childCode, RegionCounts counts, long version)
    {
        if (_children.TryGetValue(childCode, out var known) && known.Version >= version) return Task.CompletedTask;
        if (known.Counts != counts) _publishPending = true;
        _children[childCode] = (counts, version);
        Recount();
        return Task.CompletedTask;
    }

    public Task<RegionCounts> GetCountsAsync() => Task.FromResult(_total);

    public Task<IReadOnlyList<ChildCounts>> GetChildrenAsync() =>
        Task.FromResult<IReadOnlyList<ChildCounts>>(_children
            .Where(c => !c.Key.StartsWith(CheckpointRules.ChildPrefix, StringComparison.Ordinal)) // in the total, not a region line
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ChildCounts(c.Key, _childNames.GetValueOrDefault(c.Key, c.Key), c.Value.Counts)).ToList());

    private void Recount()
    {
        var total = RegionCounts.Zero;
        foreach (var (counts, _) in _children.Values) total += counts;
        if (total == _total) return;
        _total = total;
        _version = Math.Max(_version + 1, DateTime.UtcNow.Ticks);
        _dirty = true;
    }

    /// <summary>Coalesced push to the parent: at most once per interval, only when the total changed.</summary>
    private async Task PushAsync()
    {
        // Up the tree every upward interval; to the dashboards at most once per roll-up interval (about once a second).
        if (_publishPending && Environment.TickCount64 - _lastPublishMs >= options.Value.RollupInterval.TotalMilliseconds)
        {
            _lastPublishMs = Environment.TickCount64;
            await PublishAsync();
        }
        if (state.State.Info is not null) await WriteHistoryAsync();
        if (!_dirty || state.State.Info?.ParentCode is not { } parent) return;
        _dirty = false;
        try
        {
            await GrainFactory.GetGrain<IRegionGrain>(parent.Value).ReportChildAsync(this.GetPrimaryKeyString(), _total, _version);
        }
        catch (Exception e)
        {
            _dirty = true; // try again on the next tick
            logger.LogWarning("Region {Region} could not report to {Parent}: {Error}", this.GetPrimaryKeyString(), parent, e.GetType().Name);
        }
    }

    /// <summary>Today's row in the daily history (and yesterday's closing row after midnight), at most once a minute.</summary>
    private async Task WriteHistoryAsync()
    {
        foreach (var row in HistoryThrottle.Due(calendar.Today, _total))
        {
            try
            {
                await history.WriteAsync(this.GetPrimaryKeyString(), row.Day, row.Counts);
                HistoryThrottle.Written(row);
            }
            catch (Exception e)
            {
                logger.LogWarning("Region {Region} could not write its daily history: {Error}", this.GetPrimaryKeyString(), e.GetType().Name);
            }
        }
    }

    /// <summary>Coalesced publish to the command dashboards (same tick as the push): the total and each child's line.</summary>
    private async Task PublishAsync()
    {
        _publishPending = false;
        var code = this.GetPrimaryKeyString();
        _publishVersion = Math.Max(_publishVersion + 1, DateTime.UtcNow.Ticks);
        var update = new RegionUpdate(code, state.State.Info?.Name ?? code, _total, await GetChildrenAsync(), _publishVersion, DateTimeOffset.UtcNow);
        try
        {
            await Sanmenxia.Grains.Dashboard.DashboardNotifierGrain.OnThisSilo(GrainFactory, RuntimeIdentity).PublishAsync(update);
        }
        catch (Exception e)
        {
            _publishPending = true; // try again on the next tick
            logger.LogWarning("Region {Region} could not publish to the dashboards: {Error}", code, e.GetType().Name);
        }
    }
}
