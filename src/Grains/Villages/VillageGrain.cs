using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sanmenxia.Grains.Regions;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Villages;

[GenerateSerializer, Alias("sanmenxia.VillageState")]
public sealed class VillageState
{
    [Id(0)] public RegionInfo? Info { get; set; }
    // [Id(1)] held the residents' summaries before migration 0007 (now one row each in IVillageRoster): never reuse it.
    /// <summary>Real-time period of the registered day-roll reminder (changes with the simulation speed); null before it was recorded.</summary>
    [Id(2)] public TimeSpan? DayRollPeriod { get; set; }
    /// <summary>
    /// The latest day whose day close is over (DaySettler); an activation on a later day closes the missed one at once
    /// (its day-roll tick fell while the cluster was down or the reminder was being registered again). Null before a
    /// first close of a village defined by an older build.
    /// </summary>
    [Id(3)] public DateOnly? LastClosedDay { get; set; }
}

/// <summary>
/// A village or community: holds its residents' summaries, counts them (<see cref="VillageCounter"/>), lists them for
/// staff, and pushes its counts to its township at most once per upward interval (at once after a quiet interval). The summaries are kept in memory and
/// loaded from the <see cref="IVillageRoster"/> at activation, one row per resident. With the batched PostgreSQL grain
/// storage each resident stores its own row with its state (<see cref="VillageRosterOptions"/>), so a report only
/// updates memory and is acknowledged at once; otherwise the village stores the rows: a report is acknowledged once its
/// row is written, and reports arriving together share one write. The village wakes only when it has something to do
/// (<see cref="WakeTimer"/>: counts to push, a history row to write, a failed write or registration to retry), and once
/// a day after midnight from its day-roll reminder, which also starts its residents' day close (<see cref="DaySettler"/>):
/// residents hold no daily reminder of their own.
/// </summary>
// Placed by a hash of the key over the live silos, so the roll-up tree spreads over the cluster instead of piling on
// the silo that first activated it (docs/operations.md, "Where grains live").
[Orleans.Placement.HashBasedPlacement]
public sealed class VillageGrain(
    [PersistentState("village", StorageNames.Default)] IPersistentState<VillageState> state,
    DomainCalendar calendar,
    IOptions<DeadlineOptions> options,
    IRegionHistory history,
    IVillageRoster roster,
    IOptions<VillageRosterOptions> rosterOptions,
    TimeScale scale,
    DayCloseThrottle dayCloseThrottle,
    VillageLoadThrottle loadThrottle,
    ILogger<VillageGrain> logger) : Grain, IVillageGrain, IRemindable
{
    private const string DayRollReminder = "day-roll";
    private static readonly TimeSpan DayRollRetry = TimeSpan.FromSeconds(30);
    /// <summary>Each resident's latest summary (about 1,000 per village): what the village counts and lists.</summary>
    private readonly Dictionary<string, ResidentSummary> _residents = new(StringComparer.Ordinal);
    /// <summary>Summaries reported since the last successful write (removals included): what the next save writes.</summary>
    private Dictionary<string, ResidentSummary> _unsaved = new(StringComparer.Ordinal);
    private Task? _nextSave;
    private bool _saveFailed;
    private bool _dayRollRegistered;
    private long _nextDayRollAttemptMs;
    private VillageCounter _counter = null!;
    private UpwardReporter<RegionCounts> _upward = null!;
    private HistoryWriter _history = null!;
    private WakeTimer _wake = null!;
    private DaySettler _dayClose = null!;
    /// <summary>A day whose close is over and not yet stored as <see cref="VillageState.LastClosedDay"/> (written by the next wake-up).</summary>
    private DateOnly? _closedDayToStore;

    private string Code => this.GetPrimaryKeyString();
    /// <summary>Whether each resident's row is stored with the resident's state (<see cref="VillageRosterOptions"/>): the village then never writes rows.</summary>
    private bool RowsStoredByResidents => rosterOptions.Value.RowsStoredWithResidentState;
    private DeadlineOptions Deadlines => options.Value;
    private TimeSpan Upward => Deadlines.UpwardInterval < Deadlines.RollupInterval ? Deadlines.UpwardInterval : Deadlines.RollupInterval;

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        _counter = new(calendar.Policy);
        _upward = new($"Village {Code}", RollupParents.ReportToParent(
            ServiceProvider.GetService<RollupParents>(), GrainFactory, Code, () => state.State.Info?.ParentCode), logger);
        _history = new(Code, history, Deadlines.HistoryInterval, logger);
        _wake = WakeTimer.Register(this, WakeAsync);
        _dayClose = DaySettler.Register(this, GrainFactory, dayCloseThrottle, logger, Code, day =>
        {
            _closedDayToStore = day;
            _wake.Arm(TimeSpan.Zero);
        });
        // Read with at most a few other villages of this silo at once (VillageLoadThrottle): a restart activates them all together.
        using (await loadThrottle.EnterAsync(ct))
            foreach (var summary in await roster.LoadAsync(Code, ct)) _residents[summary.ResidentKey] = summary;
        _counter.CountAll(calendar.Today, _residents.Values);
        CountsChanged(); // the first counts are unsent: a fresh activation tells its township where it stands
        await EnsureDayRollReminderAsync();
        // A day roll this village missed (the cluster was down at its tick, or the reminder was being registered again):
        // close that day now rather than at the next midnight.
        if (state.State.LastClosedDay is { } lastClosed && lastClosed < _counter.Day) StartDayClose();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken ct)
    {
        if (_unsaved.Count > 0) await SaveAsync();
        // Counts its township has not received die with this activation unless a new one takes over (RollupHandover).
        if (state.State.Info is not null && _upward is { Unsent: true })
            RollupHandover.ToNewActivation(() => this.AsReference<IVillageGrain>().GetCountsAsync(), $"Village {Code}", reason, logger);
    }

    public async Task DefineAsync(RegionInfo info)
    {
        if (state.State.Info == info) return;
        state.State.Info = info;
        state.State.LastClosedDay ??= calendar.Today; // a new village has no earlier day to close
        await state.WriteOrForgetAsync(this);
        _upward.Resend(); // to the (new) township
        Schedule();
        await EnsureDayRollReminderAsync();
    }

    public Task<RegionInfo?> GetInfoAsync() => Task.FromResult(state.State.Info);

    public Task ReportAsync(ResidentSummary summary)
    {
        if (_residents.TryGetValue(summary.ResidentKey, out var known) && known.Version >= summary.Version)
        {
            // A retry or a replay: already counted. Acknowledge it once it is stored (a failed write keeps it unsaved).
            return RowsStoredByResidents ? Task.CompletedTask : _unsaved.TryGetValue(summary.ResidentKey, out var pending) && pending.Version >= summary.Version ? JoinNextSave() : Task.CompletedTask;
        }
        EnsureCountedToday();
        if (summary.Removed) _residents.Remove(summary.ResidentKey);
        else _residents[summary.ResidentKey] = summary;
        _counter.Count(summary);
        CountsChanged();
        // The resident stored this row with its own state, in the same transaction: nothing to write, acknowledged now.
        if (RowsStoredByResidents) return Task.CompletedTask;
        _unsaved[summary.ResidentKey] = summary;
        return JoinNextSave();
    }

    public Task<RegionCounts> GetCountsAsync()
    {
        EnsureCountedToday();
        return Task.FromResult(_counter.ToCounts(state.State.Info is null ? 0 : 1));
    }

    public Task<bool> HasResidentAsync(string residentKey) => Task.FromResult(_residents.ContainsKey(residentKey));

    public Task<IReadOnlyList<ResidentSummary>> GetKeyPersonResidentsAsync() =>
        Task.FromResult<IReadOnlyList<ResidentSummary>>(_residents.Values.Where(s => s.Marks is { Count: > 0 }).ToList());

    public Task<Page<VillageResident>> ListResidentsAsync(VillageResidentFilter filter, int skip, int take)
    {
        EnsureCountedToday();
        var matches = _residents.Values
            .Select(s => (Summary: s, Contribution: _counter.Of(s.ResidentKey)))
            .Where(r => Matches(filter, r.Summary, r.Contribution))
            .OrderBy(r => r.Summary.Name, StringComparer.Ordinal).ThenBy(r => r.Summary.ResidentKey, StringComparer.Ordinal)
            .ToList();
        var page = matches.Skip(skip).Take(take).Select(r => new VillageResident(
            r.Summary.ResidentKey, r.Summary.Name, r.Summary.MaskedIdNumber, r.Summary.HouseholdId, r.Contribution.Colour,
            r.Contribution.ClockedInToday, r.Summary.Code.LastTemperature, r.Contribution.Fever, r.Summary.OpenNeeds,
            r.Summary.KeyPersons, r.Summary.Isolation)).ToList();
        return Task.FromResult(new Page<VillageResident>(page, matches.Count, skip, take));
    }

    private static bool Matches(VillageResidentFilter f, ResidentSummary s, Contribution c) =>
        (f.Colour is null || c.Colour == f.Colour)
        && (f.Fever is null || c.Fever == f.Fever)
        && (f.Isolated is null || (s.Isolation is IsolationKind.Home or IsolationKind.Central) == f.Isolated)
        && (f.OpenNeeds is null || (s.OpenNeeds > 0) == f.OpenNeeds)
        && (f.KeyPerson is null || (s.KeyPersons & f.KeyPerson) != 0)
        && (f.ClockedInToday is null || c.ClockedInToday == f.ClockedInToday);

    private void EnsureCountedToday()
    {
        if (calendar.Today == _counter.Day) return;
        _counter.CountAll(calendar.Today, _residents.Values);
        CountsChanged();
    }

    private void CountsChanged()
    {
        _upward.Update(_counter.ToCounts(1));
        Schedule();
    }

    // ------------------------------------------------------------------ saving

    /// <summary>
    /// The save that reports arriving now share: it starts on the grain's next turn, so the reports interleaved
    /// until then go in the same write (and the roster groups it with other villages' writes into one commit).
    /// </summary>
    private Task JoinNextSave() => _nextSave ??= SaveNextAsync();

    private async Task SaveNextAsync()
    {
        await Task.Yield();
        _nextSave = null; // reports from here on join the save after this one
        await WriteUnsavedAsync(); // a failure reaches the residents, who retry their reports
    }

    /// <summary>Writes the summaries not yet stored; on failure keeps them (unless a newer one arrived), arms a retry and throws.</summary>
    private async Task WriteUnsavedAsync()
    {
        if (_unsaved.Count == 0) return;
        var saving = _unsaved;
        _unsaved = new(StringComparer.Ordinal);
        try
        {
            await roster.SaveAsync(Code, saving.Values);
            _saveFailed = false;
        }
        catch
        {
            foreach (var (key, summary) in saving) _unsaved.TryAdd(key, summary);
            _saveFailed = true;
            Schedule();
            throw;
        }
    }

    /// <summary>The wake-up's and deactivation's save: retries what a failed write left unsaved, and only logs a failure.</summary>
    private async Task SaveAsync()
    {
        try
        {
            await WriteUnsavedAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning("Village {Village} could not save its summaries: {Error}", Code, e.GetType().Name);
        }
    }

    // ------------------------------------------------------------------ waking: day roll, retries, push, history

    /// <summary>Arms the wake-up for the earliest pending work; with none, the village stays idle.</summary>
    private void Schedule()
    {
        if (state.State.Info is null) return;
        if (_upward.DueIn(Upward) is { } pushDue) _wake.Arm(pushDue);
        if (_saveFailed && _unsaved.Count > 0) _wake.Arm(Deadlines.VillageSaveInterval);
        if (_history.NextDue is { } historyDue) _wake.Arm(historyDue);
        if (!_dayRollRegistered && _nextDayRollAttemptMs > 0) _wake.Arm(TimeSpan.FromMilliseconds(_nextDayRollAttemptMs - Environment.TickCount64));
    }

    /// <summary>From the wake-up timer or the day-roll reminder: start the new day's count, retry, push, write history.</summary>
    private async Task WakeAsync()
    {
        EnsureCountedToday();
        await EnsureDayRollReminderAsync();
        if (_saveFailed && _unsaved.Count > 0) await SaveAsync();
        await _upward.PushAsync();
        if (state.State.Info is not null) await _history.WriteDueAsync(_counter.Day, _counter.ToCounts(1));
        Schedule();
        await StoreClosedDayAsync();
    }

    /// <summary>Records the day whose close is over, so a later activation knows whether it missed one (once a day: rare).</summary>
    private async Task StoreClosedDayAsync()
    {
        if (_closedDayToStore is not { } day || state.State.Info is null) return;
        _closedDayToStore = null;
        if (state.State.LastClosedDay >= day) return;
        state.State.LastClosedDay = day;
        try
        {
            await state.WriteOrForgetAsync(this);
        }
        catch (Exception e)
        {
            // The activation is dropped (DurableState); the next one finds the day not recorded and closes it again,
            // which wakes only whoever is still due.
            logger.LogWarning("Village {Village} could not record the close of day {Day}: {Error}", Code, day, e.GetType().Name);
        }
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        await WakeAsync();
        StartDayClose();
    }

    /// <summary>
    /// The day close of the day just begun (<see cref="DaySettler"/>): the residents whose stored code changes colour at
    /// the days that ended, or who told the village something else is due (<see cref="ResidentDayClose"/>). The counts
    /// need none of them: they were projected the moment the day began (<see cref="VillageCounter"/>).
    /// </summary>
    private void StartDayClose()
    {
        var today = _counter.Day;
        if (today == _dayClose.Day) return;
        var due = _residents.Values.Where(s => ResidentDayClose.IsDue(calendar.Policy, s, today)).Select(s => s.ResidentKey).ToList();
        _dayClose.Start(today, due);
    }

    /// <summary>
    /// Colours change at midnight without any event: a daily reminder wakes the village just after it
    /// (<see cref="DayRollSpread"/>), so its township, the dashboards and the daily history see the new day even if
    /// nobody acts. Registering it may fail while the reminder service is still taking over a dead silo's range; the
    /// village then works on and retries from its wake-up timer (every 30 s), so its residents' reports and its counts
    /// are never held up by it.
    /// </summary>
    private async Task EnsureDayRollReminderAsync()
    {
        if (_dayRollRegistered || state.State.Info is null || Environment.TickCount64 < _nextDayRollAttemptMs) return;
        try
        {
            // A reminder registered at another simulation speed (or by a build that did not record it) ticks on that
            // speed's days: register it again for this one, as checkpoints do.
            var period = scale.ToRealDelay(TimeSpan.FromDays(1));
            if (state.State.DayRollPeriod != period || await this.GetReminder(DayRollReminder) is null)
            {
                var now = calendar.Now;
                var firstTick = calendar.EndOfDay(calendar.DayOf(now)) + DayRollSpread.Offset(Code, Deadlines.SpreadAfterMidnight);
                await this.RegisterOrUpdateReminder(DayRollReminder, scale.ToRealDelay(firstTick - now), period);
                if (state.State.DayRollPeriod != period)
                {
                    state.State.DayRollPeriod = period;
                    await state.WriteOrForgetAsync(this);
                }
            }
            _dayRollRegistered = true;
        }
        catch (Exception e)
        {
            _nextDayRollAttemptMs = Environment.TickCount64 + (long)DayRollRetry.TotalMilliseconds;
            Schedule();
            logger.LogWarning("Village {Village} could not register its day-roll reminder yet: {Error}; retrying", Code, e.GetType().Name);
        }
    }
}
