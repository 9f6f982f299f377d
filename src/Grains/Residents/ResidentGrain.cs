using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sanmenxia.Grains.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Residents;

[GenerateSerializer, Alias("sanmenxia.ResidentState")]
public sealed class ResidentState
{
    /// <summary>The clear ID number: it lives only here (grain keys, logs and URLs use the pseudonymous key).</summary>
    [Id(0)] public string? IdNumber { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    /// <summary>Clear phone number, or null for a member without a phone (the household head acts for them).</summary>
    [Id(2)] public string? Phone { get; set; }
    [Id(3)] public string VillageCode { get; set; } = "";
    [Id(4)] public string HouseholdId { get; set; } = "";
    [Id(5)] public DateTimeOffset RegisteredAt { get; set; }
    /// <summary>The health-code state machine's state; the rules in HealthCodeRules are the only thing that changes it.</summary>
    [Id(6)] public HealthCodeState Code { get; set; } = HealthCodeState.NotApplied;
    /// <summary>The latest colour changes, newest last, bounded (<see cref="ResidentGrain.HistoryLimit"/>).</summary>
    [Id(7)] public List<CodeHistoryEntry> History { get; set; } = [];
    [Id(8)] public SelfReport? SelfReport { get; set; }
    /// <summary>Open needs and the most recently handled ones, bounded.</summary>
    [Id(9)] public List<Need> Needs { get; set; } = [];
    /// <summary>Version of the summary last sent to the village; increases with every change the village must see.</summary>
    [Id(10)] public long SummaryVersion { get; set; }
    /// <summary>Real-time period of the registered day-close reminder, or null when none is registered.</summary>
    [Id(11)] public TimeSpan? DeadlineReminderPeriod { get; set; }
    [Id(12)] public KeyPersonFlags KeyPersons { get; set; }
    [Id(13)] public IsolationKind Isolation { get; set; }

    public bool IsRegistered => IdNumber is not null;
}

/// <summary>
/// One resident: decides that resident's health code (through the pure HealthCodeRules), keeps the
/// self-report and needs, and tells its village what changed. It never counts anything: the village does.
/// </summary>
public sealed class ResidentGrain(
    [PersistentState("resident", StorageNames.Default)] IPersistentState<ResidentState> state,
    HealthCodePolicy policy,
    [FromKeyedServices(DomainClock.Key)] TimeProvider clock,
    TimeScale scale,
    IOptions<DeadlineOptions> deadlines,
    ILogger<ResidentGrain> logger) : Grain, IResidentGrain, IRemindable
{
    public const int HistoryLimit = 100;
    private const int HandledNeedsKept = 20;
    private const string DeadlineReminder = "day-close";

    private ResidentState S => state.State;
    private string Key => this.GetPrimaryKeyString();
    private long _reportedVersion = -1;
    private bool _servedCaller;
    private IGrainTimer? _reportRetry;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A reminder period from another simulation speed (or none at all for an applied code) is put right.
        if (S.IsRegistered && S.Code.IsApplied) await EnsureDeadlineReminderAsync();
    }

    public async Task<RegistrationOutcome> RegisterAsync(ResidentRegistration registration)
    {
        _servedCaller = true;
        if (S.IsRegistered)
            return S.IdNumber == registration.IdNumber ? RegistrationOutcome.AlreadyRegistered : RegistrationOutcome.Conflict;

        S.IdNumber = registration.IdNumber;
        S.Name = registration.Name;
        S.Phone = registration.Phone;
        S.VillageCode = registration.VillageCode;
        S.HouseholdId = registration.HouseholdId;
        S.RegisteredAt = clock.GetUtcNow();
        await SaveAndReportAsync();
        return RegistrationOutcome.Created;
    }

    public Task<ResidentProfile?> GetProfileAsync()
    {
        _servedCaller = true;
        return Task.FromResult(S.IsRegistered ? Profile() : null);
    }

    public Task<ResidentOverview?> GetOverviewAsync()
    {
        _servedCaller = true;
        return Task.FromResult(S.IsRegistered
            ? new ResidentOverview(Profile(), View(), S.SelfReport, S.Needs.ToList())
            : null);
    }

    public Task<CodeView> GetCodeAsync()
    {
        _servedCaller = true;
        return Task.FromResult(View());
    }

    public async Task<CodeActionResult> ApplyAsync(decimal temperature, bool honestyPledge, Actor actor)
    {
        _servedCaller = true;
        RequireRegistered();
        var result = HealthCodeRules.Apply(policy, S.Code, clock.GetUtcNow(), temperature, honestyPledge, BlockersFromRegister());
        if (!result.Accepted) return new CodeActionResult(false, result.Refusal, View());
        Record(result, actor.Kind);
        await SaveAndReportAsync();
        await EnsureDeadlineReminderAsync();
        return new CodeActionResult(true, [], View());
    }

    public async Task<CodeActionResult> ClockInAsync(decimal temperature, IReadOnlyList<string> symptoms, Actor actor)
    {
        _servedCaller = true;
        RequireRegistered();
        var now = clock.GetUtcNow();
        var result = HealthCodeRules.ClockIn(policy, S.Code, now, temperature);
        if (!result.Accepted) return new CodeActionResult(false, result.Refusal, View());
        Record(result, actor.Kind);
        S.SelfReport = new SelfReport(temperature, symptoms.ToList(), S.SelfReport?.RecentTravel, now);
        await SaveAndReportAsync();
        await EnsureDeadlineReminderAsync();
        return new CodeActionResult(true, [], View());
    }

    public async Task<SelfReport> UpdateSelfReportAsync(decimal? temperature, IReadOnlyList<string> symptoms, string? recentTravel)
    {
        _servedCaller = true;
        RequireRegistered();
        S.SelfReport = new SelfReport(temperature ?? S.SelfReport?.Temperature, symptoms.ToList(), recentTravel, clock.GetUtcNow());
        await SaveAsync();
        return S.SelfReport;
    }

    public async Task<Need> AddNeedAsync(NeedKind kind, string detail, Actor actor)
    {
        _servedCaller = true;
        RequireRegistered();
        var need = new Need(Guid.NewGuid().ToString("N")[..12], kind, detail, clock.GetUtcNow(), NeedStatus.Open);
        S.Needs.Add(need);
        await SaveAndReportAsync();
        return need;
    }

    public async Task<Need?> HandleNeedAsync(string needId, Actor staff, string? note)
    {
        _servedCaller = true;
        var index = S.Needs.FindIndex(n => n.Id == needId);
        if (index < 0) return null;
        if (S.Needs[index].Status == NeedStatus.Handled) return S.Needs[index];
        S.Needs[index] = S.Needs[index] with { Status = NeedStatus.Handled, HandledAt = clock.GetUtcNow(), HandledBy = staff.Id, Note = note };
        var handled = S.Needs[index];
        // Keep every open need and only the latest handled ones: state must not grow without bound.
        var excess = S.Needs.Count(n => n.Status == NeedStatus.Handled) - HandledNeedsKept;
        if (excess > 0)
            foreach (var old in S.Needs.Where(n => n.Status == NeedStatus.Handled).OrderBy(n => n.HandledAt).Take(excess).ToList())
                S.Needs.Remove(old);
        await SaveAndReportAsync();
        return handled;
    }

    public async Task<CodeActionResult> ClearFeverAsync(Actor staff, string note)
    {
        _servedCaller = true;
        RequireRegistered();
        if (!S.Code.Blockers.HasFlag(Blocker.Fever))
            return new CodeActionResult(false, ["no fever is recorded for this person"], View());
        var result = HealthCodeRules.SetBlockers(policy, S.Code, clock.GetUtcNow(), S.Code.Blockers & ~Blocker.Fever);
        Record(result, staff.Kind);
        await SaveAndReportAsync();
        await EnsureDeadlineReminderAsync();
        return new CodeActionResult(true, [], View());
    }

    public async Task<CodeView> EvaluateDeadlinesAsync()
    {
        if (!S.Code.IsApplied) return View();
        var yesterday = HealthCodeRules.Today(policy, clock.GetUtcNow()).AddDays(-1);
        var result = HealthCodeRules.CloseDaysThrough(policy, S.Code, yesterday);
        if (result.State != S.Code)
        {
            Record(result, ActorKind.System);
            // Only a change of colour matters to the village; the closed-through date alone does not.
            if (result.Changes.Count > 0) await SaveAndReportAsync(); else await SaveAsync();
        }
        await EnsureDeadlineReminderAsync();
        return View();
    }

    public async Task ResendSummaryAsync()
    {
        _servedCaller = true;
        if (!S.IsRegistered) return;
        _reportedVersion = -1;
        await ReportAsync();
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DeadlineReminder) return;
        await EvaluateDeadlinesAsync();
        // Woken only for the deadline: do not keep 2.63M residents in memory after their midnight tick.
        if (!_servedCaller) DeactivateOnIdle();
    }

    // ------------------------------------------------------------------ deadlines

    /// <summary>
    /// One daily reminder per applied resident, due after the next local midnight plus a per-resident offset
    /// (spreading the city's ticks over <see cref="DeadlineOptions.SpreadAfterMidnight"/>). A red code with no
    /// streak cannot change without the resident acting, so it needs no reminder until the next clock-in.
    /// </summary>
    private async Task EnsureDeadlineReminderAsync()
    {
        var needed = S.Code.IsApplied && !IsFixedPoint(S.Code);
        var period = scale.ToRealDelay(TimeSpan.FromDays(1));
        if (needed && S.DeadlineReminderPeriod == period) return;
        if (!needed && S.DeadlineReminderPeriod is null) return;

        if (needed)
        {
            var now = clock.GetUtcNow();
            var today = HealthCodeRules.Today(policy, now);
            var firstTick = HealthCodeRules.EndOfDay(policy, today) + SpreadOffset();
            await this.RegisterOrUpdateReminder(DeadlineReminder, scale.ToRealDelay(firstTick - now), period);
            S.DeadlineReminderPeriod = period;
        }
        else
        {
            var reminder = await this.GetReminder(DeadlineReminder);
            if (reminder is not null) await this.UnregisterReminder(reminder);
            S.DeadlineReminderPeriod = null;
        }
        await SaveAsync();
    }

    private static bool IsFixedPoint(HealthCodeState code) =>
        code is { BaseColour: CodeColour.Red, RedStreak: 0, Blockers: Blocker.None };

    private TimeSpan SpreadOffset()
    {
        var window = deadlines.Value.SpreadAfterMidnight;
        if (window <= TimeSpan.Zero) return TimeSpan.Zero;
        // FNV-1a: stable across processes (string.GetHashCode is randomised per process).
        uint hash = 2166136261;
        foreach (var c in Key) hash = (hash ^ c) * 16777619;
        return TimeSpan.FromTicks((long)(hash % (ulong)window.Ticks));
    }

    // ------------------------------------------------------------------ state, history, village

    private void Record(HealthCodeResult result, ActorKind by)
    {
        S.Code = result.State;
        foreach (var change in result.Changes)
            S.History.Add(new CodeHistoryEntry(change, change.Cause == ChangeCause.MissedClockIn ? ActorKind.System : by));
        if (S.History.Count > HistoryLimit) S.History.RemoveRange(0, S.History.Count - HistoryLimit);
    }

    private Blocker BlockersFromRegister() =>
        (S.Isolation != IsolationKind.None ? Blocker.Isolation : Blocker.None)
        | (S.KeyPersons.HasFlag(KeyPersonFlags.CloseContact) ? Blocker.CloseContact : Blocker.None);

    private async Task SaveAndReportAsync()
    {
        S.SummaryVersion++;
        await SaveAsync();
        await ReportAsync();
    }

    /// <summary>
    /// Writes the state. If the write fails the activation is dropped, so the next call reloads what is
    /// durable instead of serving changes that were never stored.
    /// </summary>
    private async Task SaveAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>Tells the village; if it cannot be reached the report is retried by a timer (the resident's write already stands).</summary>
    private async Task ReportAsync()
    {
        if (_reportedVersion >= S.SummaryVersion || string.IsNullOrEmpty(S.VillageCode)) return;
        try
        {
            await GrainFactory.GetGrain<IVillageGrain>(S.VillageCode).ReportAsync(Summary());
            _reportedVersion = S.SummaryVersion;
            _reportRetry?.Dispose();
            _reportRetry = null;
        }
        catch (Exception e)
        {
            logger.LogWarning("Village {Village} did not take resident {Resident}'s summary v{Version}: {Error}; retrying",
                S.VillageCode, Key, S.SummaryVersion, e.GetType().Name);
            _reportRetry ??= this.RegisterGrainTimer(static (grain, _) => grain.ReportAsync(), this,
                new GrainTimerCreationOptions { DueTime = TimeSpan.FromSeconds(2), Period = TimeSpan.FromSeconds(5), KeepAlive = true });
        }
    }

    private ResidentSummary Summary() => new(
        Key, S.SummaryVersion, S.Name, MaskedId(), S.HouseholdId, S.Code,
        S.Needs.Count(n => n.Status == NeedStatus.Open), S.KeyPersons, S.Isolation);

    private ResidentProfile Profile()
    {
        var id = ResidentIdNumber.Parse(S.IdNumber!, DateOnly.MaxValue);
        return new ResidentProfile(Key, S.Name, id.Masked, S.Phone is null ? null : PhoneNumber.Parse(S.Phone).Masked,
            S.VillageCode, S.HouseholdId, id.BirthDate, id.IsMale, S.RegisteredAt);
    }

    private string MaskedId() => ResidentIdNumber.TryParse(S.IdNumber, DateOnly.MaxValue, out var id, out _) ? id.Masked : "";

    /// <summary>
    /// The code as of now. Days that ended since the last evaluation are projected (not stored), so a read
    /// between midnight and this resident's reminder shows the right colour and the history that explains it.
    /// </summary>
    private CodeView View()
    {
        var now = clock.GetUtcNow();
        var today = HealthCodeRules.Today(policy, now);
        var pending = HealthCodeRules.CloseDaysThrough(policy, S.Code, today.AddDays(-1)).Changes;
        var history = S.History.Concat(pending.Select(c => new CodeHistoryEntry(c, ActorKind.System))).ToList();
        return new CodeView(HealthCodeRules.Explain(policy, S.Code, now), history, S.Code.AppliedOn, today);
    }

    private void RequireRegistered()
    {
        if (!S.IsRegistered) throw new InvalidOperationException("The resident is not registered.");
    }
}
