using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sanmenxia.Checkpoints;
using Sanmenxia.Grains.Regions;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Checkpoints;

[GenerateSerializer, Alias("sanmenxia.CheckpointState")]
public sealed class CheckpointState
{
    /// <summary>The definition; null until an administrator creates the checkpoint.</summary>
    [Id(0)] public CheckpointInfo? Info { get; set; }
    /// <summary>Real-time period of the registered day-close reminder (changes with the simulation speed).</summary>
    [Id(1)] public TimeSpan? DayCloseReminderPeriod { get; set; }
}

/// <summary>
/// A checkpoint (检测点): decides each pass per its policy, keeps today's counters, and reports them to its region
/// (<see cref="IRegionGrain.ReportCheckpointAsync"/>, through the roll-up's <see cref="UpwardReporter{T}"/>).
/// The counters are not stored in grain state: every pass is a row in the pass store, acknowledged after commit, and
/// counted only then; on activation the grain recounts today's rows, so its counters always equal the store.
/// </summary>
// Placed by a hash of the key over the live silos, so the roll-up tree spreads over the cluster instead of piling on
// the silo that first activated it (docs/operations.md, "Where grains live").
[Orleans.Placement.HashBasedPlacement]
public sealed partial class CheckpointGrain(
    [PersistentState("checkpoint", StorageNames.Default)] IPersistentState<CheckpointState> state,
    IPassStore store,
    IOptions<CheckpointOptions> options,
    IOptions<DeadlineOptions> deadlines,
    DomainCalendar calendar,
    TimeScale scale,
    ILogger<CheckpointGrain> logger) : Grain, ICheckpointGrain, IRemindable
{
    private const string DayCloseReminder = "day-close";
    private CheckpointDayCounts _today = CheckpointDayCounts.Empty(default);
    /// <summary>Last counted pass per person and direction, for the duplicate window (pruned on the timer).</summary>
    private readonly Dictionary<(string, PassDirection), (PassRecord Pass, TimeSpan? Dwell)> _recent = [];
    /// <summary>People who entered and have not exited yet: when they entered (for the dwell time).</summary>
    private readonly Dictionary<string, DateTimeOffset> _inside = new(StringComparer.Ordinal);
    // Who was seen today in which colour, so a person's entry and exit count once as "red/yellow persons seen".
    private readonly HashSet<(string Resident, CodeColour Colour)> _seenToday = [];
    private readonly List<CheckpointDayCounts> _closedDays = [];
    private UpwardReporter<CheckpointTotals>? _upward;
    private WakeTimer? _wake;
    private bool _dailyDirty;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        if (state.State.Info is null) return;
        await RecountTodayAsync(ct);
        Start();
        await EnsureDayCloseReminderAsync();
    }

    public async Task<CheckpointDefineOutcome> DefineAsync(CheckpointInfo info)
    {
        if (info.Id != Id) throw new ArgumentException($"Checkpoint id {info.Id} does not match the grain key {Id}.", nameof(info));
        var old = state.State.Info;
        if (old is not null && Same(old, info)) return CheckpointDefineOutcome.Unchanged;
        state.State.Info = info;
        await state.WriteOrForgetAsync(this);
        if (old is null)
        {
            await RecountTodayAsync(CancellationToken.None);
            Start();
            await EnsureDayCloseReminderAsync();
        }
        else if (CheckpointRules.ReportTarget(old.RegionCode) != CheckpointRules.ReportTarget(info.RegionCode))
        {
            // Moved to another region: take its totals out of the old region's.
            await GrainFactory.GetGrain<IRegionGrain>(CheckpointRules.ReportTarget(old.RegionCode).Value)
                .ReportCheckpointAsync(new CheckpointReport(Id, CheckpointTotals.Zero, Upward.NextVersion()));
        }
        Upward.Resend(); // to the (new) region
        Schedule();
        return old is null ? CheckpointDefineOutcome.Created : CheckpointDefineOutcome.Updated;
    }

    private static bool Same(CheckpointInfo a, CheckpointInfo b) =>
        a.Name == b.Name && a.RegionCode == b.RegionCode && a.Level == b.Level && a.Policy == b.Policy && a.Staff.SequenceEqual(b.Staff);

    public Task<CheckpointInfo?> GetInfoAsync() => Task.FromResult(state.State.Info);

    public async Task<CheckpointInfo?> AddStaffAsync(string username)
    {
        var info = state.State.Info;
        if (info is null) return null;
        if (info.Staff.Contains(username, StringComparer.Ordinal)) return info;
        state.State.Info = info with { Staff = [.. info.Staff, username] };
        await state.WriteOrForgetAsync(this);
        return state.State.Info;
    }

    public async Task<PassResult> RegisterPassAsync(PassAttempt attempt)
    {
        var info = state.State.Info ?? throw new InvalidOperationException($"Checkpoint {Id} is not defined.");
        var now = calendar.Now;
        RollDay(now);

        var key = (attempt.ResidentKey, attempt.Direction);
        var fever = calendar.Policy.FeverThresholdCelsius;
        if (_recent.TryGetValue(key, out var first) && now >= first.Pass.At && now - first.Pass.At < options.Value.DuplicateWindow)
        {
            // Recorded (so the count of duplicates is exact too) but not counted as a pass; the first pass is the answer,
            // with the temperature a repeat brings when the first had none (staff measured after a yellow "check"): a
            // fever then refuses, and later repeats within the window answer the same.
            var measured = first.Pass.Temperature is null && attempt.Temperature is not null;
            var refusedForFever = measured
                && CheckpointRules.Decide(info.Policy, attempt.Colour, attempt.Temperature, fever) is { ReasonCode: CheckpointRules.FeverRefused };
            var answer = !measured ? first.Pass
                : refusedForFever
                    ? first.Pass with { Outcome = PassOutcome.Refused, ReasonCode = CheckpointRules.FeverRefused, Temperature = attempt.Temperature }
                    : first.Pass with { Temperature = attempt.Temperature };
            var duplicate = new PassRecord(Guid.CreateVersion7(now), Id, info.RegionCode.Value, attempt.ResidentKey, attempt.MaskedName,
                attempt.Direction, now, attempt.Colour, answer.Outcome, answer.ReasonCode, attempt.Staff, attempt.Method, first.Pass.PassId,
                Temperature: attempt.Temperature);
            await AppendAsync(duplicate);
            Count(duplicate);
            if (measured) _recent[key] = (answer, first.Dwell);
            if (refusedForFever && attempt.Direction == PassDirection.In) _inside.Remove(attempt.ResidentKey);
            return new PassResult(answer, true, first.Dwell, _today);
        }

        var (outcome, reason) = CheckpointRules.Decide(info.Policy, attempt.Colour, attempt.Temperature, fever);
        var pass = new PassRecord(Guid.CreateVersion7(now), Id, info.RegionCode.Value, attempt.ResidentKey, attempt.MaskedName,
            attempt.Direction, now, attempt.Colour, outcome, reason, attempt.Staff, attempt.Method, Temperature: attempt.Temperature);
        TimeSpan? dwell = attempt.Direction == PassDirection.Out && _inside.TryGetValue(attempt.ResidentKey, out var entered) && now >= entered
            ? now - entered : null;
        await AppendAsync(pass);
        Count(pass);
        _recent[key] = (pass, dwell);
        Track(pass);
        return new PassResult(pass, false, dwell, _today);
    }

    public Task<CheckpointDayCounts> GetTodayAsync()
    {
        var today = calendar.Today;
        return Task.FromResult(_today.Day == today ? _today : CheckpointDayCounts.Empty(today));
    }

    public Task<CheckpointTotals> GetTotalsAsync()
    {
        var today = calendar.Today;
        return Task.FromResult(_today.Day == today ? _today.ToTotals() : CheckpointTotals.Zero);
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DayCloseReminder || state.State.Info is null) return;
        await WakeAsync();
    }

    // ------------------------------------------------------------------ counting

    /// <summary>Writes the row and returns once it is committed. If the store fails, the outcome is unknown (the batch
    /// may have committed): this activation is dropped, so the next one recounts from the store.</summary>
    private async Task AppendAsync(PassRecord pass)
    {
        try
        {
            await store.AppendAsync(pass);
        }
        catch
        {
            this.DeactivateOnIdle();
            throw;
        }
    }

    private void Count(PassRecord pass)
    {
        _today = _today.Add(pass, FirstSighting(pass));
        _dailyDirty = true;
        TotalsChanged();
    }

    private bool FirstSighting(PassRecord pass) =>
        pass.DuplicateOf is null && pass.ColourSeen is CodeColour.Red or CodeColour.Yellow && _seenToday.Add((pass.ResidentKey, pass.ColourSeen));

    private void Track(PassRecord pass)
    {
        if (pass.DuplicateOf is not null) return;
        if (pass.Direction == PassDirection.In && pass.Outcome != PassOutcome.Refused) _inside[pass.ResidentKey] = pass.At;
        else if (pass.Direction == PassDirection.Out) _inside.Remove(pass.ResidentKey);
    }

    /// <summary>Today's counters from the store's rows (the store is the truth), and the recent passes for duplicates and dwell.</summary>
    private async Task RecountTodayAsync(CancellationToken ct)
    {
        var now = calendar.Now;
        var today = calendar.DayOf(now);
        var from = calendar.EndOfDay(today.AddDays(-1));
        var rows = await store.ForCheckpointAsync(Id, from, calendar.EndOfDay(today), 0, int.MaxValue, ct);
        _today = CheckpointDayCounts.Empty(today);
        _recent.Clear();
        _inside.Clear();
        _seenToday.Clear();
        foreach (var row in rows)
        {
            _today = _today.Add(row, FirstSighting(row));
            if (row.DuplicateOf is not null) continue;
            TimeSpan? dwell = row.Direction == PassDirection.Out && _inside.TryGetValue(row.ResidentKey, out var entered) ? row.At - entered : null;
            _recent[(row.ResidentKey, row.Direction)] = (row, dwell);
            Track(row);
        }
        _dailyDirty = rows.Count > 0;
        TotalsChanged(); // the first totals of an activation are unsent: the region hears where this checkpoint stands
    }

    /// <summary>A new day starts with zero counters; the finished day's aggregate is kept for the next flush.</summary>
    private void RollDay(DateTimeOffset now)
    {
        var today = calendar.DayOf(now);
        if (_today.Day == today) return;
        if (_today.Day != default && (_today.Passes > 0 || _today.Duplicates > 0)) _closedDays.Add(_today);
        _today = CheckpointDayCounts.Empty(today);
        _seenToday.Clear();
        _dailyDirty = false;
        TotalsChanged();
        // Someone inside for more than a day is no longer a dwell worth reporting.
        foreach (var stale in _inside.Where(e => now - e.Value > TimeSpan.FromDays(1)).Select(e => e.Key).ToList()) _inside.Remove(stale);
    }

    // ------------------------------------------------------------------ roll-up: report, daily rows, wake-ups

    private UpwardReporter<CheckpointTotals> Upward => _upward ??= new($"Checkpoint {Id}", (totals, version) =>
    {
        if (state.State.Info is not { } info) return Task.CompletedTask;
        var target = CheckpointRules.ReportTarget(info.RegionCode).Value;
        ServiceProvider.GetService<RollupParents>()?.Noted(target); // what this silo wakes when another dies (RollupRecovery)
        return GrainFactory.GetGrain<IRegionGrain>(target).ReportCheckpointAsync(new CheckpointReport(Id, totals, version));
    }, logger);

    private void TotalsChanged()
    {
        Upward.Update(_today.ToTotals());
        Schedule();
    }

    private void Start()
    {
        _wake ??= WakeTimer.Register(this, WakeAsync);
        Schedule();
    }

    /// <summary>Arms the wake-up while the report (at most once per roll-up interval) or a daily row is unsent; idle otherwise.</summary>
    private void Schedule()
    {
        if (_wake is null) return;
        if (Upward.DueIn(deadlines.Value.RollupInterval) is { } reportDue) _wake.Arm(reportDue);
        if (_dailyDirty || _closedDays.Count > 0) _wake.Arm(deadlines.Value.RollupInterval);
    }

    /// <summary>Coalesced, at most once per roll-up interval: the daily aggregate rows, the region report, pruning.</summary>
    private async Task WakeAsync()
    {
        var info = state.State.Info;
        if (info is null) return;
        var now = calendar.Now;
        RollDay(now);
        foreach (var stale in _recent.Where(r => now - r.Value.Pass.At >= options.Value.DuplicateWindow).Select(r => r.Key).ToList()) _recent.Remove(stale);

        try
        {
            while (_closedDays.Count > 0)
            {
                await store.UpsertDailyAsync(new CheckpointDaily(Id, info.RegionCode.Value, _closedDays[0]));
                _closedDays.RemoveAt(0);
            }
            if (_dailyDirty)
            {
                _dailyDirty = false;
                await store.UpsertDailyAsync(new CheckpointDaily(Id, info.RegionCode.Value, _today));
            }
        }
        catch (Exception e) when (e is not Sanmenxia.Platform.Hosting.StoreMissingException)
        {
            _dailyDirty = true;
            logger.LogWarning("Checkpoint {Checkpoint} could not write its daily aggregate: {Error}", Id, e.GetType().Name);
        }
        await Upward.PushAsync();
        Schedule();
    }

    /// <summary>One daily reminder per checkpoint shortly after local midnight: closes the day (aggregate row, zero counters
    /// reported) even if nobody passes after midnight. 4,136 reminders spread like the villages' (<see cref="DayRollSpread"/>).</summary>
    private async Task EnsureDayCloseReminderAsync()
    {
        var period = scale.ToRealDelay(TimeSpan.FromDays(1));
        if (state.State.DayCloseReminderPeriod == period) return;
        var now = calendar.Now;
        var firstTick = calendar.EndOfDay(calendar.DayOf(now)) + DayRollSpread.Offset(Id, deadlines.Value.SpreadAfterMidnight);
        await this.RegisterOrUpdateReminder(DayCloseReminder, scale.ToRealDelay(firstTick - now), period);
        state.State.DayCloseReminderPeriod = period;
        await state.WriteOrForgetAsync(this);
    }
}
