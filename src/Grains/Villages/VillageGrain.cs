using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sanmenxia.Grains.Regions;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Villages;

[GenerateSerializer, Alias("sanmenxia.VillageState")]
public sealed class VillageState
{
    [Id(0)] public RegionInfo? Info { get; set; }
    /// <summary>
    /// Legacy: the summaries lived here before migration 0007 (the whole list rewritten on every save). Now they live
    /// in <see cref="IVillageRoster"/>; a village activated with a non-empty legacy list moves it there and clears it.
    /// </summary>
    [Id(1)] public Dictionary<string, ResidentSummary> Residents { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A village or community: holds its residents' summaries, counts them, lists them for staff, and pushes
/// its counts to its township at most once per roll-up interval. The summaries are kept in memory and stored in
/// the <see cref="IVillageRoster"/>, one row per resident: a report is acknowledged once its row is written, and
/// reports arriving together share one write. Colours are projected from each summary's
/// code state and today's date, so the counts are right the moment a day ends, before any resident's
/// reminder has ticked.
/// </summary>
public sealed class VillageGrain(
    [PersistentState("village", StorageNames.Default)] IPersistentState<VillageState> state,
    DomainCalendar calendar,
    IOptions<DeadlineOptions> options,
    IRegionHistory history,
    IVillageRoster roster,
    TimeScale scale,
    ILogger<VillageGrain> logger) : Grain, IVillageGrain, IRemindable
{
    /// <summary>Each resident's latest summary (about 1,000 per village): what the village counts and lists.</summary>
    private readonly Dictionary<string, ResidentSummary> _residents = new(StringComparer.Ordinal);
    /// <summary>Summaries reported since the last save (removals included): what the next save writes.</summary>
    private Dictionary<string, ResidentSummary> _unsaved = new(StringComparer.Ordinal);
    private Task? _nextSave;
    private readonly Dictionary<string, Contribution> _contributions = new(StringComparer.Ordinal);
    private Tally _tally;
    private DateOnly _countedDay;
    private long _countsVersion;
    private bool _countsDirty;
    private long _lastSaveMs = Environment.TickCount64; // real time: a fake or simulated clock must not stop saves
    private IGrainTimer? _timer;
    private TimeSpan Upward => options.Value.UpwardInterval < options.Value.RollupInterval ? options.Value.UpwardInterval : options.Value.RollupInterval;
    private HistoryThrottle? _historyThrottle;
    private HistoryThrottle HistoryThrottle => _historyThrottle ??= new(options.Value.HistoryInterval);
    private const string DayRollReminder = "day-roll";
    private bool _dayRollRegistered;
    private long _nextDayRollAttemptMs;

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        await LoadResidentsAsync(ct);
        RecountAll();
        _countsDirty = true; // a fresh activation tells its township where it stands
        _timer = this.RegisterGrainTimer(static (grain, _) => grain.TickAsync(), this,
            new GrainTimerCreationOptions { DueTime = Upward, Period = Upward });
        await EnsureDayRollReminderAsync();
    }

    /// <summary>
    /// Colours change at midnight without any event: a daily reminder wakes the village just after it, so its
    /// township, the dashboards and the daily history see the new day even if nobody acts. Registering it may fail
    /// while the reminder service is still taking over a dead silo's range; the village then works on and retries
    /// from its timer (at most every 30 s), so its residents' reports and its counts are never held up by it.
    /// </summary>
    private async Task EnsureDayRollReminderAsync()
    {
        if (_dayRollRegistered || state.State.Info is null || Environment.TickCount64 < _nextDayRollAttemptMs) return;
        try
        {
            if (await this.GetReminder(DayRollReminder) is null)
            {
                var now = calendar.Now;
                var firstTick = calendar.EndOfDay(calendar.DayOf(now)) + TimeSpan.FromSeconds(this.GetPrimaryKeyString().Sum(c => c) % 300); // stable spread over 5 min
                await this.RegisterOrUpdateReminder(DayRollReminder, scale.ToRealDelay(firstTick - now), scale.ToRealDelay(TimeSpan.FromDays(1)));
            }
            _dayRollRegistered = true;
        }
        catch (Exception e)
        {
            _nextDayRollAttemptMs = Environment.TickCount64 + 30_000;
            logger.LogWarning("Village {Village} could not register its day-roll reminder yet: {Error}; retrying", this.GetPrimaryKeyString(), e.GetType().Name);
        }
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => TickAsync();

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken ct)
    {
        if (_unsaved.Count > 0) await SaveAsync();
    }

    private async Task LoadResidentsAsync(CancellationToken ct)
    {
        foreach (var summary in await roster.LoadAsync(this.GetPrimaryKeyString(), ct)) _residents[summary.ResidentKey] = summary;
        var legacy = state.State.Residents;
        if (legacy.Count == 0) return;
        // Written before the roster existed: move the list into it once, then drop it from the grain state.
        foreach (var summary in legacy.Values)
            if (!_residents.TryGetValue(summary.ResidentKey, out var known) || known.Version < summary.Version)
                _residents[summary.ResidentKey] = summary;
        await roster.SaveAsync(this.GetPrimaryKeyString(), legacy.Values.ToList(), ct);
        state.State.Residents = new(StringComparer.Ordinal);
        await state.WriteStateAsync(ct);
        logger.LogInformation("Village {Village} moved {Count} legacy summaries into the roster", this.GetPrimaryKeyString(), legacy.Count);
    }

    public async Task DefineAsync(RegionInfo info)
    {
        if (state.State.Info == info) return;
        state.State.Info = info;
        await state.WriteOrForgetAsync(this);
        _lastSaveMs = Environment.TickCount64;
        await EnsureDayRollReminderAsync();
    }

    public Task<RegionInfo?> GetInfoAsync() => Task.FromResult(state.State.Info);

    public Task ReportAsync(ResidentSummary summary)
    {
        var residents = _residents;
        if (residents.TryGetValue(summary.ResidentKey, out var known) && known.Version >= summary.Version)
        {
            // A retry or a replay: already counted. Acknowledge it once it is stored (a failed write keeps it unsaved).
            return _unsaved.TryGetValue(summary.ResidentKey, out var pending) && pending.Version >= summary.Version ? JoinNextSave() : Task.CompletedTask;
        }

        EnsureCountedToday();
        if (_contributions.Remove(summary.ResidentKey, out var old)) _tally.Subtract(old);
        if (summary.Removed)
        {
            residents.Remove(summary.ResidentKey);
        }
        else
        {
            residents[summary.ResidentKey] = summary;
            var contribution = Contribute(summary);
            _contributions[summary.ResidentKey] = contribution;
            _tally.Add(contribution);
        }
        _unsaved[summary.ResidentKey] = summary;
        _countsDirty = true;
        return JoinNextSave();
    }

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

    /// <summary>Writes the summaries not yet stored; on failure keeps them (unless a newer one arrived) and throws.</summary>
    private async Task WriteUnsavedAsync()
    {
        if (_unsaved.Count == 0) return;
        var saving = _unsaved;
        _unsaved = new(StringComparer.Ordinal);
        try
        {
            await roster.SaveAsync(this.GetPrimaryKeyString(), saving.Values);
            _lastSaveMs = Environment.TickCount64;
        }
        catch
        {
            foreach (var (key, summary) in saving) _unsaved.TryAdd(key, summary);
            throw;
        }
    }

    public Task<RegionCounts> GetCountsAsync()
    {
        EnsureCountedToday();
        return Task.FromResult(_tally.ToCounts(state.State.Info is null ? 0 : 1));
    }

    public Task<bool> HasResidentAsync(string residentKey) => Task.FromResult(_residents.ContainsKey(residentKey));

    public Task<IReadOnlyList<ResidentSummary>> GetKeyPersonResidentsAsync() =>
        Task.FromResult<IReadOnlyList<ResidentSummary>>(_residents.Values.Where(s => s.Marks is { Count: > 0 }).ToList());

    public Task<Page<VillageResident>> ListResidentsAsync(VillageResidentFilter filter, int skip, int take)
    {
        EnsureCountedToday();
        var matches = _residents.Values
            .Select(s => (Summary: s, Contribution: _contributions[s.ResidentKey]))
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

    // ------------------------------------------------------------------ counting

    /// <summary>What one resident adds to the counts on the counted day.</summary>
    private readonly record struct Contribution(CodeColour Colour, bool Applied, bool ClockedInToday, bool Fever, int OpenNeeds,
        KeyPersonFlags KeyPersons, IsolationKind Isolation, KeyPersonTotals Register);

    private Contribution Contribute(ResidentSummary s)
    {
        var code = s.Code;
        var colour = CodeColour.None;
        if (code.IsApplied)
        {
            // Project the end of every day that has ended: the same pure rule the resident uses.
            var projected = HealthCodeRules.CloseDaysThrough(calendar.Policy, code, _countedDay.AddDays(-1)).State;
            colour = HealthCodeRules.DisplayedColour(calendar.Policy, projected);
        }
        return new Contribution(colour, code.IsApplied, code.LastClockInDay == _countedDay,
            code.Blockers.HasFlag(Blocker.Fever), s.OpenNeeds, s.KeyPersons, s.Isolation, KeyPersonTotals.From(s.Marks, _countedDay));
    }

    private void EnsureCountedToday()
    {
        if (calendar.Today != _countedDay) RecountAll();
    }

    private void RecountAll()
    {
        _countedDay = calendar.Today;
        _tally = default;
        _contributions.Clear();
        foreach (var summary in _residents.Values)
        {
            var contribution = Contribute(summary);
            _contributions[summary.ResidentKey] = contribution;
            _tally.Add(contribution);
        }
        _countsDirty = true;
    }

    private struct Tally
    {
        private int _residents, _applied, _green, _yellow, _red, _clockedIn, _fever, _isolated, _home, _central, _needs;
        private int _outside, _hubei, _wuhan, _contacts, _feverNoExposure;
        private KeyPersonTotals? _register;

        public void Add(Contribution c) => Apply(c, +1);
        public void Subtract(Contribution c) => Apply(c, -1);

        private void Apply(Contribution c, int sign)
        {
            _residents += sign;
            if (c.Applied) _applied += sign;
            if (c.Colour == CodeColour.Green) _green += sign;
            if (c.Colour == CodeColour.Yellow) _yellow += sign;
            if (c.Colour == CodeColour.Red) _red += sign;
            if (c.ClockedInToday) _clockedIn += sign;
            if (c.Fever) _fever += sign;
            if (c.Isolation is IsolationKind.Home or IsolationKind.Central) _isolated += sign;
            if (c.Register != KeyPersonTotals.Zero) _register = (_register ?? KeyPersonTotals.Zero) + (sign > 0 ? c.Register : -c.Register);
            if (c.Isolation == IsolationKind.Home) _home += sign;
            if (c.Isolation == IsolationKind.Central) _central += sign;
            _needs += sign * c.OpenNeeds;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.FromOutsideCity)) _outside += sign;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.FromHubei)) _hubei += sign;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.FromWuhan)) _wuhan += sign;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.CloseContact)) _contacts += sign;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.FeverNoExposure)) _feverNoExposure += sign;
        }

        public readonly RegionCounts ToCounts(int villages) => new()
        {
            Residents = _residents, Applied = _applied, Green = _green, Yellow = _yellow, Red = _red,
            ClockedInToday = _clockedIn, Fever = _fever, Isolated = _isolated, IsolatedHome = _home,
            IsolatedCentral = _central, OpenNeeds = _needs, FromOutsideCity = _outside, FromHubei = _hubei,
            FromWuhan = _wuhan, CloseContacts = _contacts, FeverNoExposure = _feverNoExposure, Villages = villages,
            KeyPersonDetail = _register ?? KeyPersonTotals.Zero,
        };
    }

    // ------------------------------------------------------------------ coalesced save and push

    /// <summary>
    /// Once per roll-up interval: start a new day's count if the day changed, save the summaries if the
    /// save interval has passed, and push changed counts to the township.
    /// </summary>
    private async Task TickAsync()
    {
        EnsureCountedToday();
        await EnsureDayRollReminderAsync();
        if (_unsaved.Count > 0 && Environment.TickCount64 - _lastSaveMs >= options.Value.VillageSaveInterval.TotalMilliseconds)
            await SaveAsync();
        if (_countsDirty && state.State.Info?.ParentCode is { } parent)
        {
            _countsDirty = false;
            _countsVersion = Math.Max(_countsVersion + 1, DateTime.UtcNow.Ticks);
            try
            {
                await GrainFactory.GetGrain<IRegionGrain>(parent.Value).ReportChildAsync(this.GetPrimaryKeyString(), _tally.ToCounts(1), _countsVersion);
            }
            catch (Exception e)
            {
                _countsDirty = true;
                logger.LogWarning("Village {Village} could not report to {Parent}: {Error}", this.GetPrimaryKeyString(), parent, e.GetType().Name);
            }
        }
        if (state.State.Info is not null) await WriteHistoryAsync();
    }

    /// <summary>Today's row in the daily history (and yesterday's closing row after midnight), at most once a minute.</summary>
    private async Task WriteHistoryAsync()
    {
        foreach (var row in HistoryThrottle.Due(_countedDay, _tally.ToCounts(1)))
        {
            try
            {
                await history.WriteAsync(this.GetPrimaryKeyString(), row.Day, row.Counts);
                HistoryThrottle.Written(row);
            }
            catch (Exception e)
            {
                logger.LogWarning("Village {Village} could not write its daily history: {Error}", this.GetPrimaryKeyString(), e.GetType().Name);
            }
        }
    }

    /// <summary>The timer's and deactivation's save: retries what a failed write left unsaved, and only logs a failure.</summary>
    private async Task SaveAsync()
    {
        try
        {
            await WriteUnsavedAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning("Village {Village} could not save its summaries: {Error}", this.GetPrimaryKeyString(), e.GetType().Name);
        }
    }
}
