using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Requests;
using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;
using Sanmenxia.Residents;
using Sanmenxia.Trips;
using Sanmenxia.Villages;
using Sanmenxia.Grains.Regions;

namespace Sanmenxia.Grains.Residents;

/// <summary>
/// One resident, the consistency boundary of everything about that person: decides the health code (through the pure
/// HealthCodeRules) and keeps the self-report, the needs (<see cref="NeedList"/>), the key-person register
/// (<see cref="KeyPersonRegister"/>) and the watched trips (<see cref="TripWatch"/>), and tells its village what
/// changed. The parts are pure rules over this grain's state; every action ends in one <see cref="CommitAsync"/>.
/// It never counts anything: the village does.
/// </summary>
// A resident acts a few times a day (apply, clock in, show the code), seconds apart: 90 idle seconds in memory is
// plenty, and it keeps a silo from holding a whole city's residents at once (measured in docs/benchmarks.md).
[CollectionAgeLimit(Minutes = 1.5)]
public sealed partial class ResidentGrain(
    [PersistentState("resident", StorageNames.Default)] IPersistentState<ResidentState> state,
    DomainCalendar calendar,
    TimeScale scale,
    IOptions<TripOptions> tripOptions,
    IOptions<KeyPersonOptions> keyPersonOptions,
    IOptions<ReminderOptions> reminderOptions,
    IOptions<RetentionOptions> retentionOptions,
    Platform.Stores.IRetentionStore retentionStore,
    Sanmenxia.Security.PseudonymousKeys keys,
    IOptions<RequestOptions> requestOptions,
    [FromKeyedServices(RequestClock.Key)] TimeProvider requestClock,
    ILogger<ResidentGrain> logger) : Grain, IResidentGrain, IRemindable, IIncomingGrainCallFilter
{
    /// <summary>What an action changed: nothing stored (written only if the reminder moved), the state, or the village's summary too.</summary>
    private enum Change { None, State, Summary }

    private ResidentState S => state.State;
    private string Key => this.GetPrimaryKeyString();
    private KeyPersonRegister Register => new(S.KeyEntries, S.Marks, calendar.Policy, keyPersonOptions.Value.PendingDecisionWithin);
    private TripWatch Watch => new(S.Trips, S.TripMatches);
    private NeedList Needs => new(S.Needs);
    private DomainCalendar Calendar => calendar;
    private bool _servedCaller;
    /// <summary>Calls to the resident's own interfaces this activation has taken (<see cref="LeaveIfOneOff"/>).</summary>
    private int _callerCalls;
    private VillageOutbox? _outbox;
    private bool _leaving;
    private RequestGuard? _guard;
    private RequestGuard Guard => _guard ??= new(requestClock, requestOptions.Value);
    private VillageOutbox Outbox => _outbox ??= new(this, GrainFactory, logger, requestOptions.Value, () => S, () => S.Summary(Key, Register, Needs));

    // A report the village never acknowledged (a crash, a deactivation first) is sent again; a decision reminder's
    // period from another simulation speed is put right.
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Outbox.OnActivate(reminderMayExist: false);
        return S.DecisionReminderFor is not null || Register.NextDecisionDue is not null ? CommitAsync(Change.None) : Task.CompletedTask;
    }

    /// <summary>
    /// A report the village has not acknowledged is stored, but only this activation retries it soon (every
    /// VillageReportRetry); after the activation the outbox reminder does, a minute later. An activation that did not
    /// choose to leave (a silo's death deactivates the survivor's activations whose directory entries it held, or a
    /// shutdown) hands the retry to a new activation at once (<see cref="RollupHandover"/>).
    /// </summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!_leaving && _outbox is { IsPending: true })
            RollupHandover.ToNewActivation(() => this.AsReference<IResidentGrain>().GetProfileAsync(), $"Resident {this.GetGrainId()}", reason, logger);
        _outbox?.Close(); // a delivery still under way must not touch this activation's disposed services
        return Task.CompletedTask;
    }

    /// <summary>The resident lets its activation go (a pending report then waits for the outbox reminder).</summary>
    private void Leave()
    {
        _leaving = true;
        DeactivateOnIdle();
    }

    /// <summary>
    /// Every call to the resident's own interfaces serves a caller; the reminder's tick (IRemindable) does not, and a
    /// grain woken only by it goes once the tick is done. A call stamped by the API that arrives after its deadline is
    /// refused before it runs (<see cref="RequestGuard"/>).
    /// </summary>
    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType is { } called && called.IsAssignableFrom(typeof(IResidentGrain)))
        {
            Guard.ThrowIfExpired($"Resident call {context.InterfaceMethod.Name}");
            _servedCaller = true;
            _callerCalls++;
        }
        return context.Invoke();
    }

    public async Task<RegistrationOutcome> RegisterAsync(ResidentRegistration registration)
    {
        if (S.IsRegistered)
            return S.IdNumber == registration.IdNumber ? RegistrationOutcome.AlreadyRegistered : RegistrationOutcome.Conflict;

        (S.IdNumber, S.Name, S.Phone) = (registration.IdNumber, registration.Name, registration.Phone);
        (S.VillageCode, S.HouseholdId, S.RegisteredAt) = (registration.VillageCode, registration.HouseholdId, calendar.Now);
        S.FeverAtClockIn = false;
        // A head adding a member claims the ID number: provisional until the village confirms or the person registers.
        (S.ClaimedBy, S.ClaimConfirmed) = (registration.RegisteredBy.Kind == ActorKind.HouseholdProxy ? registration.RegisteredBy.Id : null, false);
        await CommitAsync(Change.Summary);
        // Registered by staff (bulk import, village console): the resident is not here to act next, so do not hold
        // the activation; 2.63M imported residents would otherwise fill the silo's memory for minutes.
        if (registration.RegisteredBy.Kind == ActorKind.Staff) Leave();
        return RegistrationOutcome.Created;
    }

    public Task<ResidentProfile?> MatchRegistrationAsync(string idNumber, string? phone, string? householdId)
    {
        var same = S.IsRegistered && S.IdNumber == idNumber && S.Phone == phone && (householdId is null || S.HouseholdId == householdId);
        return Task.FromResult(same ? S.Profile(Key) : null);
    }

    public Task<ResidentProfile?> GetProfileAsync() => Task.FromResult(S.IsRegistered ? S.Profile(Key) : null);

    // ------------------------------------------------------------------ household claims (docs/security.md)

    public Task<HouseholdClaim?> GetClaimAsync() => Task.FromResult(S.Claim(Key));

    public async Task<HouseholdClaim?> TakeOverAsync(ResidentRegistration registration)
    {
        if (!S.IsProvisional || S.IdNumber != registration.IdNumber) return null;
        var claim = S.Claim(Key)!;
        (S.Name, S.Phone, S.VillageCode, S.HouseholdId) = (registration.Name, registration.Phone, registration.VillageCode, registration.HouseholdId);
        (S.ClaimedBy, S.ClaimConfirmed) = (null, false);
        if (claim.VillageCode != S.VillageCode) S.VillagesToLeave.Add(claim.VillageCode); // told with this write's report
        await CommitAsync(Change.Summary);
        return claim;
    }

    public async Task<HouseholdClaim?> ConfirmClaimAsync(Actor by)
    {
        if (S.Claim(Key) is null) return null;
        S.ClaimConfirmed = true;
        await CommitAsync(Change.State);
        return S.Claim(Key);
    }

    public async Task<HouseholdClaim?> ReverseClaimAsync(Actor by)
    {
        if (S.Claim(Key) is not { } claim) return null;
        // What the head gave the record goes; what staff and the rules recorded about the ID number (key-person entries,
        // watched trips) stays for its owner. The health code restarts: the owner applies for themselves.
        (S.IdNumber, S.Name, S.Phone, S.VillageCode, S.HouseholdId) = (null, "", null, "", "");
        (S.Code, S.SelfReport, S.FeverAtClockIn, S.ClaimedBy, S.ClaimConfirmed) = (HealthCodeState.NotApplied, null, null, null, false);
        S.History.Clear();
        S.Needs.Clear();
        S.SummaryVersion++;
        S.VillagesToLeave.Add(claim.VillageCode); // the removal is pending in the same write (VillageOutbox)
        await CommitAsync(Change.State);
        return claim;
    }

    public async Task<ResidentOverview?> GetOverviewAsync()
    {
        if (!S.IsRegistered) return null;
        await CatchUpAsync();
        return new ResidentOverview(S.Profile(Key), View(), S.SelfReport, Needs.Items.ToList(), Watch.Matches.ToList());
    }

    public async Task<CodeView> GetCodeAsync()
    {
        await CatchUpAsync();
        return View();
    }

    public async Task<CodeActionResult> ApplyAsync(decimal temperature, bool honestyPledge, Actor actor)
    {
        var result = await ApplyOnceAsync(temperature, honestyPledge, actor);
        LeaveIfOneOff();
        return result;
    }

    private async Task<CodeActionResult> ApplyOnceAsync(decimal temperature, bool honestyPledge, Actor actor)
    {
        RequireRegistered();
        if (Replayed(Operations.Apply) is not null) return Accepted();
        var result = HealthCodeRules.Apply(calendar.Policy, S.Code, calendar.Now, temperature, honestyPledge, Register.Blockers);
        if (!result.Accepted) return new CodeActionResult(false, result.Refusal, View());
        S.Record(result, actor.Kind);
        S.LastClockInAt = calendar.Now; // the application is today's clock-in
        Remember(Operations.Apply);
        await CommitAsync(Change.Summary);
        return Accepted();
    }

    public async Task<CodeActionResult> ClockInAsync(decimal temperature, IReadOnlyList<string> symptoms, Actor actor)
    {
        var result = await ClockInOnceAsync(temperature, symptoms, actor);
        LeaveIfOneOff();
        return result;
    }

    private async Task<CodeActionResult> ClockInOnceAsync(decimal temperature, IReadOnlyList<string> symptoms, Actor actor)
    {
        RequireRegistered();
        if (Replayed(Operations.ClockIn) is not null) return Accepted();
        if (StaleClockIn() is { } stale) return new CodeActionResult(false, [stale], View());
        var now = calendar.Now;
        var result = HealthCodeRules.ClockIn(calendar.Policy, S.Code, now, temperature);
        if (!result.Accepted) return new CodeActionResult(false, result.Refusal, View());
        var replaced = S.TodayClockIn(calendar.DayOf(now)); // a second clock-in today only updates the reading
        S.Record(result, actor.Kind);
        S.LastClockInAt = now;
        S.SelfReport = new SelfReport(temperature, symptoms.ToList(), S.SelfReport?.RecentTravel, now);
        if (temperature >= calendar.Policy.FeverThresholdCelsius) S.FeverAtClockIn = true; // the rules raised (or kept) the fever
        // A fever during an observation period counts against its release.
        if (Symptoms.IsFever(calendar.Policy, temperature, symptoms)) Register.RecordSymptom(calendar.DayOf(now));
        S.LastClockInIssuedAt = RequestStamp.Current?.IssuedAt ?? S.LastClockInIssuedAt;
        Remember(Operations.ClockIn);
        await CommitAsync(Change.Summary);
        return Accepted() with { ReplacedToday = replaced };
    }

    public async Task<SelfReport> UpdateSelfReportAsync(decimal? temperature, IReadOnlyList<string> symptoms, string? recentTravel)
    {
        RequireRegistered();
        if (Replayed(Operations.SelfReport) is not null && S.SelfReport is { } reported) return reported;
        S.SelfReport = new SelfReport(temperature ?? S.SelfReport?.Temperature, symptoms.ToList(), recentTravel, calendar.Now);
        Remember(Operations.SelfReport);
        await CommitAsync(Change.State);
        return S.SelfReport;
    }

    public async Task<Need> AddNeedAsync(NeedKind kind, string detail, Actor actor)
    {
        RequireRegistered();
        // A retry of an executed request answers the need it created (a handled need pruned since is created again).
        if (Replayed(Operations.AddNeed) is { ResultId: { } id } && S.Needs.Find(n => n.Id == id) is { } earlier) return earlier;
        var need = Needs.Add(NewId(), kind, detail, calendar.Now);
        Remember(Operations.AddNeed, need.Id);
        await CommitAsync(Change.Summary);
        return need;
    }

    public async Task<Need?> HandleNeedAsync(string needId, Actor staff, string? note)
    {
        var (need, changed) = Needs.Handle(needId, staff.Id, note, calendar.Now);
        if (changed) await CommitAsync(Change.Summary);
        return need;
    }

    public async Task<CodeActionResult> ClearFeverAsync(Actor staff, string note)
    {
        RequireRegistered();
        if (Replayed(Operations.ClearFever) is not null) return Accepted();
        if (!FeverAtClockIn)
            return new CodeActionResult(false, [S.Code.Blockers.HasFlag(Blocker.Fever)
                ? "the fever is that of an open key-person entry: release the entry" : "no fever is recorded for this person"], View());
        S.FeverAtClockIn = false;
        S.Record(HealthCodeRules.SetBlockers(calendar.Policy, S.Code, calendar.Now, Register.CodeBlockers(feverAtClockIn: false)), staff.Kind);
        Remember(Operations.ClearFever);
        await CommitAsync(Change.Summary);
        return Accepted();
    }

    // ------------------------------------------------------------------ trips (platform 2)

    public async Task<(SavedTrip Trip, IReadOnlyList<TripMatch> Matches)> SaveTripAsync(TripId trip, SeatInfo seat)
    {
        RequireRegistered();
        var now = calendar.Now;
        var today = calendar.DayOf(now);
        var saved = TripWatch.NewSaved(trip, seat, now, tripOptions.Value.WatchDays);
        // The trip grain first, this resident's state after: a failed trip call leaves nothing unsaved in memory (the
        // trip grain's side is idempotent, and a case it sends for a trip not saved here is ignored).
        // It answers with the cases already published: a trip saved after a publication matches at once.
        var tripGrain = GrainFactory.GetGrain<ITripGrain>(trip.Key);
        var cases = await tripGrain.AddTravellerAsync(trip, Key, seat);
        if (!TripWatch.IsWatched(saved, today)) await tripGrain.RemoveTravellerAsync(Key);
        Watch.Save(saved, cases, Register, now, today);
        await CommitAsync(Change.Summary);
        return (saved, Watch.MatchesOf(trip));
    }

    public Task<(IReadOnlyList<SavedTrip> Trips, IReadOnlyList<TripMatch> Matches)> GetTripsAsync() =>
        Task.FromResult<(IReadOnlyList<SavedTrip>, IReadOnlyList<TripMatch>)>((Watch.Trips.ToList(), Watch.Matches.ToList()));

    /// <summary>
    /// One-way, from the trip grain. Confirmed only once handled and stored: a failure here (a failed write drops the
    /// activation) sends no confirmation, and the trip grain's retry delivers it again (see TripGrain).
    /// </summary>
    public async Task CaseOnTripAsync(TripId trip, PublishedCase published)
    {
        var now = calendar.Now;
        if (S.IsRegistered && Watch.Receive(trip, published, Register, now, calendar.DayOf(now)))
        {
            SyncBlockers(ActorKind.System);
            await CommitAsync(Change.Summary);
        }
        await GrainFactory.GetGrain<ITripGrain>(trip.Key).DeliveredAsync(Key, published);
    }

    /// <summary>
    /// The code's blockers follow the open entries (isolation, observation, close contact, fever without exposure);
    /// a fever from a clock-in stays until staff clear it. True if the displayed colour changed.
    /// </summary>
    private bool SyncBlockers(ActorKind by)
    {
        var desired = Register.CodeBlockers(FeverAtClockIn);
        if (desired == S.Code.Blockers) return false;
        var result = HealthCodeRules.SetBlockers(calendar.Policy, S.Code, calendar.Now, desired);
        S.Record(result, by);
        return result.Changes.Count > 0;
    }

    private Task<bool> EnsureDecisionReminderAsync(bool force) => DecisionReminder.EnsureAsync(this, S, Register.NextDecisionDue, force, calendar, scale,
        keyPersonOptions.Value, reminderOptions.Value.MinimumReminderPeriod);

    private bool FeverAtClockIn => S.FeverAtClockIn ?? S.Code.Blockers.HasFlag(Blocker.Fever);

    private CodeView View()
    {
        var (now, today) = (calendar.Now, calendar.DayOf(calendar.Now));
        return S.View(calendar.Policy, now, today, Register.PendingNotice(Watch.ExposureOf), Register.ObservationEndsOn(today));
    }

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];

    private void RequireRegistered()
    {
        if (!S.IsRegistered) throw new InvalidOperationException("The resident is not registered.");
    }
}
