using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.KeyPersons;
using Sanmenxia.Residents;
using Sanmenxia.Trips;
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
    // Ids 12 and 13 held derived key-person flags in an early build; they are derived from KeyEntries now.
    /// <summary>Key-person register entries (platform 4): every one kept while open, the latest closed ones bounded.</summary>
    [Id(14)] public List<KeyPersonEntry> KeyEntries { get; set; } = [];
    /// <summary>One mark per entry ever, so the village's "ever" counts survive the bounding of closed entries.</summary>
    [Id(15)] public Dictionary<string, KeyPersonMark> Marks { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The offset after midnight the registered reminder was given; a different one (new spread) re-registers.</summary>
    [Id(18)] public TimeSpan? DeadlineReminderOffset { get; set; }
    /// <summary>Trips the resident saved (platform 2), watched until <see cref="SavedTrip.WatchedUntil"/>.</summary>
    [Id(16)] public List<SavedTrip> Trips { get; set; } = [];
    /// <summary>Matches with published cases, newest last, bounded.</summary>
    [Id(17)] public List<TripMatch> TripMatches { get; set; } = [];

    public bool IsRegistered => IdNumber is not null;
}

/// <summary>
/// One resident: decides that resident's health code (through the pure HealthCodeRules), keeps the
/// self-report and needs, and tells its village what changed. It never counts anything: the village does.
/// </summary>
// A resident acts a few times a day (apply, clock in, show the code), seconds apart: 90 idle seconds in memory is
// plenty, and it keeps a silo from holding a whole city's residents at once (measured in docs/benchmarks.md).
[CollectionAgeLimit(Minutes = 1.5)]
public sealed class ResidentGrain(
    [PersistentState("resident", StorageNames.Default)] IPersistentState<ResidentState> state,
    DomainCalendar calendar,
    TimeScale scale,
    IOptions<DeadlineOptions> deadlines,
    IOptions<TripOptions> tripOptions,
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
    private readonly SemaphoreSlim _writeGate = new(1, 1);

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
        S.RegisteredAt = calendar.Now;
        await SaveAndReportAsync();
        // Registered by staff (bulk import, village console): the resident is not here to act next, so do not hold
        // the activation; 2.63M imported residents would otherwise fill the silo's memory for minutes.
        if (registration.RegisteredBy.Kind == ActorKind.Staff) DeactivateOnIdle();
        return RegistrationOutcome.Created;
    }

    public Task<ResidentProfile?> MatchRegistrationAsync(string idNumber, string? phone, string? householdId)
    {
        _servedCaller = true;
        var same = S.IsRegistered && S.IdNumber == idNumber && S.Phone == phone && (householdId is null || S.HouseholdId == householdId);
        return Task.FromResult(same ? Profile() : null);
    }

    public Task<ResidentProfile?> GetProfileAsync()
    {
        _servedCaller = true;
        return Task.FromResult(S.IsRegistered ? Profile() : null);
    }

    public async Task<ResidentOverview?> GetOverviewAsync()
    {
        _servedCaller = true;
        if (!S.IsRegistered) return null;
        await CatchUpAsync();
        return new ResidentOverview(Profile(), View(), S.SelfReport, S.Needs.ToList(), S.TripMatches.ToList());
    }

    public async Task<CodeView> GetCodeAsync()
    {
        _servedCaller = true;
        await CatchUpAsync();
        return View();
    }

    /// <summary>
    /// If a day ended or an observation period ran out since the last evaluation (the reminder has not ticked
    /// yet, or ticked while the cluster was down), evaluate now, so what is shown is what is stored.
    /// </summary>
    private async Task CatchUpAsync()
    {
        var today = calendar.Today;
        var daysPending = S.Code.IsApplied && (S.Code.ClosedThrough is null || S.Code.ClosedThrough < today.AddDays(-1));
        var periodEnded = S.KeyEntries.Any(e => e.RequiresObservation && today >= e.ObservationEndsOn);
        var watchEnded = S.Trips.Any(t => t.WatchedUntil < today);
        if (daysPending || periodEnded || watchEnded) await EvaluateDeadlinesAsync();
    }

    public async Task<CodeActionResult> ApplyAsync(decimal temperature, bool honestyPledge, Actor actor)
    {
        _servedCaller = true;
        RequireRegistered();
        var result = HealthCodeRules.Apply(calendar.Policy, S.Code, calendar.Now, temperature, honestyPledge, BlockersFromRegister());
        if (!result.Accepted) return new CodeActionResult(false, result.Refusal, View());
        Record(result, actor.Kind);
        // Reminder first, then one write that also records it: one state write per action.
        await EnsureDeadlineReminderAsync(save: false);
        await SaveAndReportAsync();
        return new CodeActionResult(true, [], View());
    }

    public async Task<CodeActionResult> ClockInAsync(decimal temperature, IReadOnlyList<string> symptoms, Actor actor)
    {
        _servedCaller = true;
        RequireRegistered();
        var now = calendar.Now;
        var result = HealthCodeRules.ClockIn(calendar.Policy, S.Code, now, temperature);
        if (!result.Accepted) return new CodeActionResult(false, result.Refusal, View());
        Record(result, actor.Kind);
        S.SelfReport = new SelfReport(temperature, symptoms.ToList(), S.SelfReport?.RecentTravel, now);
        // A fever during an observation period counts against its release.
        if (Symptoms.IsFever(calendar.Policy, temperature, symptoms))
            UpdateEntries(e => e.RequiresObservation ? ObservationRules.RecordSymptom(e, calendar.DayOf(now)) : e);
        // Reminder first, then one write that also records it: one state write per action.
        await EnsureDeadlineReminderAsync(save: false);
        await SaveAndReportAsync();
        return new CodeActionResult(true, [], View());
    }

    public async Task<SelfReport> UpdateSelfReportAsync(decimal? temperature, IReadOnlyList<string> symptoms, string? recentTravel)
    {
        _servedCaller = true;
        RequireRegistered();
        S.SelfReport = new SelfReport(temperature ?? S.SelfReport?.Temperature, symptoms.ToList(), recentTravel, calendar.Now);
        await SaveAsync();
        return S.SelfReport;
    }

    public async Task<Need> AddNeedAsync(NeedKind kind, string detail, Actor actor)
    {
        _servedCaller = true;
        RequireRegistered();
        var need = new Need(Guid.NewGuid().ToString("N")[..12], kind, detail, calendar.Now, NeedStatus.Open);
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
        S.Needs[index] = S.Needs[index] with { Status = NeedStatus.Handled, HandledAt = calendar.Now, HandledBy = staff.Id, Note = note };
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
        var result = HealthCodeRules.SetBlockers(calendar.Policy, S.Code, calendar.Now, S.Code.Blockers & ~Blocker.Fever);
        Record(result, staff.Kind);
        // Reminder first, then one write that also records it: one state write per action.
        await EnsureDeadlineReminderAsync(save: false);
        await SaveAndReportAsync();
        return new CodeActionResult(true, [], View());
    }

    public async Task<CodeView> EvaluateDeadlinesAsync()
    {
        var today = calendar.Today;
        // Observation periods first: a release lifts a blocker before the day's colour is settled.
        var entriesChanged = UpdateEntries(e => ObservationRules.Evaluate(calendar.Policy, e, today));
        entriesChanged |= await ExpireWatchedTripsAsync(today);
        var colourChanged = false;
        if (entriesChanged) colourChanged = SyncBlockers(ActorKind.System);
        if (S.Code.IsApplied)
        {
            var result = HealthCodeRules.CloseDaysThrough(calendar.Policy, S.Code, today.AddDays(-1));
            if (result.State != S.Code)
            {
                Record(result, ActorKind.System);
                colourChanged |= result.Changes.Count > 0;
            }
        }
        // Closing a day that changed no colour is not written: evaluating from dates gives the same state
        // again, so most residents cost no write at all at midnight (the village projects the same way).
        var reminderChanged = await EnsureDeadlineReminderAsync(save: false);
        if (colourChanged || entriesChanged) await SaveAndReportAsync();
        else if (reminderChanged) await SaveAsync();
        return View();
    }

    // ------------------------------------------------------------------ trips (platform 2)

    public async Task<(SavedTrip Trip, IReadOnlyList<TripMatch> Matches)> SaveTripAsync(TripId trip, SeatInfo seat)
    {
        _servedCaller = true;
        RequireRegistered();
        var today = calendar.Today;
        var saved = new SavedTrip(trip, seat, calendar.Now, trip.Date.AddDays(tripOptions.Value.WatchDays));
        // The trip grain first, this resident's state after: a failed trip call leaves nothing unsaved in memory (the
        // trip grain's side is idempotent, and a case it sends for a trip not saved here is ignored).
        // It answers with the cases already published: a trip saved after a publication matches at once.
        var tripGrain = GrainFactory.GetGrain<ITripGrain>(trip.Key);
        var cases = await tripGrain.AddTravellerAsync(trip, Key, seat);
        if (saved.WatchedUntil < today) await tripGrain.RemoveTravellerAsync(Key);
        S.Trips.RemoveAll(t => t.Trip == trip);
        if (saved.WatchedUntil >= today) S.Trips.Add(saved);
        foreach (var published in cases) Match(trip, seat, published);
        // Reminder first, then one write that also records it: one state write per action.
        await EnsureDeadlineReminderAsync(save: false);
        await SaveAndReportAsync();
        return (saved, S.TripMatches.Where(m => m.Trip == trip).ToList());
    }

    public Task<(IReadOnlyList<SavedTrip> Trips, IReadOnlyList<TripMatch> Matches)> GetTripsAsync()
    {
        _servedCaller = true;
        return Task.FromResult<(IReadOnlyList<SavedTrip>, IReadOnlyList<TripMatch>)>((S.Trips.ToList(), S.TripMatches.ToList()));
    }

    public async Task CaseOnTripAsync(TripId trip, PublishedCase published)
    {
        if (!S.IsRegistered) return;
        var saved = S.Trips.FirstOrDefault(t => t.Trip == trip);
        if (published.Withdrawn) { if (!Unmatch(trip, published)) return; }
        else if (saved is null || !Match(trip, saved.Seat, published)) return;
        // Reminder first, then one write that also records it: one state write per action.
        await EnsureDeadlineReminderAsync(save: false);
        await SaveAndReportAsync();
    }

    /// <summary>A match: noted for the resident, and a pending close-contact entry for village staff to confirm. False if known.</summary>
    private bool Match(TripId trip, SeatInfo seat, PublishedCase published)
    {
        if (published.Withdrawn || S.TripMatches.Any(m => m.Trip == trip && m.CaseId == published.CaseId && !m.Withdrawn)) return false;
        var risk = TripRules.RiskOf(trip.Mode, seat, published.Seat);
        S.TripMatches.RemoveAll(m => m.Trip == trip && m.CaseId == published.CaseId);
        S.TripMatches.Add(new TripMatch(trip, published.CaseId, risk, published.Source, published.PublishedAt, calendar.Now));
        if (S.TripMatches.Count > 50) S.TripMatches.RemoveAt(0);
        var entryId = TripEntryId(trip, published.CaseId);
        var existing = S.KeyEntries.FindIndex(e => e.Id == entryId);
        if (existing >= 0 && S.KeyEntries[existing].Status == KeyPersonStatus.Dismissed && S.KeyEntries[existing].CloseReason?.StartsWith("publication withdrawn") == true)
            S.KeyEntries.RemoveAt(existing); // republished after a withdrawal: a fresh pending entry
        if (!S.KeyEntries.Any(e => e.Id == entryId))
            AddEntry(new NewKeyPersonEntry(KeyPersonCategory.CloseContact, trip.Date, $"co-traveler: {trip} ({risk}); source {published.Source}",
                ControlMeasure.None, null, null, "co-traveler match", Pending: true, EntryId: entryId), new Actor("trip-matching", "system", ActorKind.System));
        BoundClosedEntries();
        return true;
    }

    /// <summary>A withdrawn publication undoes its match: the pending entry is dismissed (an open one released) with the reason.</summary>
    private bool Unmatch(TripId trip, PublishedCase published)
    {
        var index = S.TripMatches.FindIndex(m => m.Trip == trip && m.CaseId == published.CaseId && !m.Withdrawn);
        if (index < 0) return false;
        S.TripMatches[index] = S.TripMatches[index] with { Withdrawn = true };
        var today = calendar.Today;
        var reason = $"publication withdrawn: {published.WithdrawReason}";
        UpdateEntries(e => e.Id != TripEntryId(trip, published.CaseId) ? e : e.Status switch
        {
            KeyPersonStatus.Pending => e with { Status = KeyPersonStatus.Dismissed, ClosedOn = today, CloseReason = reason },
            KeyPersonStatus.Open => e with { Status = KeyPersonStatus.Released, ClosedOn = today, CloseReason = reason },
            _ => e,
        });
        SyncBlockers(ActorKind.System);
        BoundClosedEntries();
        return true;
    }

    private static string TripEntryId(TripId trip, string caseId) =>
        "t" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(trip.Key + "|" + caseId)))[..11];

    /// <summary>Trips past their watch period stop being watched (the trip grain forgets the traveller). True if any expired.</summary>
    private async Task<bool> ExpireWatchedTripsAsync(DateOnly today)
    {
        var expired = S.Trips.Where(t => t.WatchedUntil < today).ToList();
        foreach (var trip in expired)
        {
            await GrainFactory.GetGrain<ITripGrain>(trip.Trip.Key).RemoveTravellerAsync(Key);
            S.Trips.Remove(trip);
        }
        return expired.Count > 0;
    }

    // ------------------------------------------------------------------ key-person register (platform 4)

    public async Task<KeyPersonResult> AddKeyPersonEntryAsync(NewKeyPersonEntry entry, Actor staff)
    {
        _servedCaller = true;
        if (!S.IsRegistered) return new(false, "the resident is not registered", null);
        if (entry.EntryId is { } existingId && S.KeyEntries.FirstOrDefault(e => e.Id == existingId) is { } existing)
            return new(true, null, existing); // an import seen before: idempotent
        var created = AddEntry(entry, staff);
        return await CommitEntryChangeAsync(created.Id, staff);
    }

    /// <summary>Adds an entry to the state (not yet saved); a period that already ended is settled at once, from dates.</summary>
    private KeyPersonEntry AddEntry(NewKeyPersonEntry entry, Actor staff)
    {
        var now = calendar.Now;
        var today = calendar.DayOf(now);
        var created = new KeyPersonEntry
        {
            Id = entry.EntryId ?? Guid.NewGuid().ToString("N")[..12],
            Category = entry.Category,
            Status = entry.Pending ? KeyPersonStatus.Pending : KeyPersonStatus.Open,
            ExposureDate = entry.ExposureDate,
            Origin = entry.Origin,
            Measure = entry.Measure,
            Site = entry.Site,
            Problems = entry.Problems,
            ObservationEndsOn = ObservationRules.EndsOn(calendar.Policy, entry.ExposureDate),
            OpenedOn = entry.Pending ? null : today,
            Source = entry.Source,
            CreatedAt = now,
            CreatedBy = staff.Id,
            PeriodFrom = entry.PeriodFrom,
            PeriodTo = entry.PeriodTo,
        };
        S.KeyEntries.Add(ObservationRules.Evaluate(calendar.Policy, created, today));
        return created;
    }

    public Task<KeyPersonResult> FollowUpAsync(string entryId, FollowUpStatus status, string? note, Actor staff) =>
        ChangeEntryAsync(entryId, staff, e => e.Status != KeyPersonStatus.Open ? "the entry is not open" : null, e =>
        {
            var day = calendar.Today;
            var followUps = e.FollowUps.Append(new FollowUp(day, status, note, staff.Id, calendar.Now)).TakeLast(30).ToList();
            var updated = e with { FollowUps = followUps };
            return status == FollowUpStatus.SeenWithSymptoms ? ObservationRules.RecordSymptom(updated, day) : updated;
        });

    public Task<KeyPersonResult> UpdateMeasureAsync(string entryId, ControlMeasure measure, string? site, string? problems, Actor staff) =>
        ChangeEntryAsync(entryId, staff, e => e.Status is KeyPersonStatus.Open or KeyPersonStatus.Pending ? null : "the entry is closed",
            e => e with { Measure = measure, Site = site ?? e.Site, Problems = problems ?? e.Problems });

    public Task<KeyPersonResult> ConfirmAsync(string entryId, ControlMeasure measure, string? site, Actor staff) =>
        ChangeEntryAsync(entryId, staff, e => e.Status == KeyPersonStatus.Pending ? null : "only a pending entry can be confirmed",
            e => e with { Status = KeyPersonStatus.Open, Measure = measure, Site = site, OpenedOn = calendar.Today });

    public Task<KeyPersonResult> DismissAsync(string entryId, string reason, Actor staff) =>
        ChangeEntryAsync(entryId, staff, e => e.Status == KeyPersonStatus.Pending ? null : "only a pending entry can be dismissed",
            e => e with { Status = KeyPersonStatus.Dismissed, ClosedOn = calendar.Today, CloseReason = reason });

    public Task<KeyPersonResult> ReleaseEarlyAsync(string entryId, string reason, Actor staff) =>
        ChangeEntryAsync(entryId, staff, e => e.Status == KeyPersonStatus.Open ? null : "only an open entry can be released",
            e => e with
            {
                Status = KeyPersonStatus.Released,
                ClosedOn = calendar.Today,
                CloseReason = $"released early by {staff.Id}: {reason}",
            });

    public Task<IReadOnlyList<KeyPersonEntry>> GetKeyPersonEntriesAsync()
    {
        _servedCaller = true;
        var today = calendar.Today;
        return Task.FromResult<IReadOnlyList<KeyPersonEntry>>(S.KeyEntries.Select(e => ObservationRules.Evaluate(calendar.Policy, e, today)).ToList());
    }

    private async Task<KeyPersonResult> ChangeEntryAsync(string entryId, Actor staff, Func<KeyPersonEntry, string?> refuse, Func<KeyPersonEntry, KeyPersonEntry> change)
    {
        _servedCaller = true;
        // Settle ended periods first, so a change applies to the entry as it stands today.
        var today = calendar.Today;
        var index = S.KeyEntries.FindIndex(e => e.Id == entryId);
        if (index < 0) return new(false, "no such entry", null);
        var current = ObservationRules.Evaluate(calendar.Policy, S.KeyEntries[index], today);
        if (refuse(current) is { } reason) return new(false, reason, current);
        S.KeyEntries[index] = ObservationRules.Evaluate(calendar.Policy, change(current), today);
        return await CommitEntryChangeAsync(entryId, staff);
    }

    private async Task<KeyPersonResult> CommitEntryChangeAsync(string entryId, Actor staff)
    {
        SyncBlockers(staff.Kind);
        BoundClosedEntries();
        // Reminder first, then one write that also records it: one state write per action.
        await EnsureDeadlineReminderAsync(save: false);
        await SaveAndReportAsync();
        return new(true, null, S.KeyEntries.First(e => e.Id == entryId));
    }

    /// <summary>Applies a change to every entry; true if any changed.</summary>
    private bool UpdateEntries(Func<KeyPersonEntry, KeyPersonEntry> change)
    {
        var changed = false;
        for (var i = 0; i < S.KeyEntries.Count; i++)
        {
            var next = change(S.KeyEntries[i]);
            if (next == S.KeyEntries[i]) continue;
            S.KeyEntries[i] = next;
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// The code's blockers follow the open entries (isolation, observation, close contact, fever without exposure);
    /// a fever from a clock-in stays until staff clear it. True if the displayed colour changed.
    /// </summary>
    private bool SyncBlockers(ActorKind by)
    {
        var fromEntries = S.KeyEntries.Aggregate(Blocker.None, (b, e) => b | ObservationRules.BlockersOf(e));
        var desired = (S.Code.Blockers & Blocker.Fever) | fromEntries;
        if (desired == S.Code.Blockers) return false;
        var result = HealthCodeRules.SetBlockers(calendar.Policy, S.Code, calendar.Now, desired);
        Record(result, by);
        return result.Changes.Count > 0;
    }

    private void BoundClosedEntries()
    {
        RefreshMarks();
        var closed = S.KeyEntries.Where(e => e.Status is KeyPersonStatus.Released or KeyPersonStatus.Dismissed).OrderBy(e => e.ClosedOn).ToList();
        foreach (var old in closed.Take(Math.Max(0, closed.Count - 10))) S.KeyEntries.Remove(old);
    }

    private void RefreshMarks()
    {
        foreach (var e in S.KeyEntries) S.Marks[e.Id] = new KeyPersonMark(e.Category, e.Status, e.Measure, e.OpenedOn, e.ClosedOn, e.NeedsReview);
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
    /// <returns>True if the reminder registration changed (the state then records its period).</returns>
    private async Task<bool> EnsureDeadlineReminderAsync(bool save = true)
    {
        var needed = (S.Code.IsApplied && !IsFixedPoint(S.Code)) || S.KeyEntries.Any(e => e.RequiresObservation) || S.Trips.Count > 0;
        var period = scale.ToRealDelay(TimeSpan.FromDays(1));
        var offset = SpreadOffset();
        if (needed && S.DeadlineReminderPeriod == period && S.DeadlineReminderOffset == offset) return false;
        if (!needed && S.DeadlineReminderPeriod is null) return false;

        try
        {
            if (needed)
            {
                var now = calendar.Now;
                var today = calendar.DayOf(now);
                var firstTick = calendar.EndOfDay(today) + offset;
                await this.RegisterOrUpdateReminder(DeadlineReminder, scale.ToRealDelay(firstTick - now), period);
                S.DeadlineReminderPeriod = period;
                S.DeadlineReminderOffset = offset;
            }
            else
            {
                var reminder = await this.GetReminder(DeadlineReminder);
                if (reminder is not null) await this.UnregisterReminder(reminder);
                S.DeadlineReminderPeriod = null;
            }
        }
        catch
        {
            // Callers change the state before this (reminder first, then one write): the reminder service being
            // unreachable (its silo just died) must not leave those unsaved changes in memory, to be served as if
            // stored. As when the write fails, drop the activation; the next call reloads what is durable.
            DeactivateOnIdle();
            throw;
        }
        if (save) await SaveAsync();
        return true;
    }

    private static bool IsFixedPoint(HealthCodeState code) =>
        code is { BaseColour: CodeColour.Red, RedStreak: 0, Blockers: Blocker.None };

    private TimeSpan SpreadOffset() => DeadlineSpread.Offset(Key, deadlines.Value.SpreadAfterMidnight);

    // ------------------------------------------------------------------ state, history, village

    private void Record(HealthCodeResult result, ActorKind by)
    {
        S.Code = result.State;
        foreach (var change in result.Changes)
            S.History.Add(new CodeHistoryEntry(change, change.Cause == ChangeCause.MissedClockIn ? ActorKind.System : by));
        if (S.History.Count > HistoryLimit) S.History.RemoveRange(0, S.History.Count - HistoryLimit);
    }

    private Blocker BlockersFromRegister() => S.KeyEntries.Aggregate(Blocker.None, (b, e) => b | ObservationRules.BlockersOf(e));

    private KeyPersonFlags OpenCategories() => S.KeyEntries.Where(e => e.Status == KeyPersonStatus.Open)
        .Aggregate(KeyPersonFlags.None, (flags, e) => flags | (KeyPersonFlags)(1 << ((int)e.Category - 1)));

    private IsolationKind CurrentIsolation()
    {
        var open = S.KeyEntries.Where(e => e.Status == KeyPersonStatus.Open).Select(e => e.Measure).ToList();
        return open.Contains(ControlMeasure.CentralIsolation) ? IsolationKind.Central
            : open.Contains(ControlMeasure.HomeIsolation) ? IsolationKind.Home
            : open.Contains(ControlMeasure.MedicalObservation) ? IsolationKind.MedicalObservation
            : IsolationKind.None;
    }

    private async Task SaveAndReportAsync()
    {
        RefreshMarks();
        S.SummaryVersion++;
        await SaveAsync();
        await ReportAsync();
    }

    /// <summary>Writes the state (a failed write drops the activation: DurableState).</summary>
    private async Task SaveAsync()
    {
        // Trip notifications interleave with other calls: writes must not overlap (each would carry a stale ETag).
        await _writeGate.WaitAsync();
        try
        {
            await state.WriteOrForgetAsync(this);
        }
        finally
        {
            _writeGate.Release();
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
        S.Needs.Count(n => n.Status == NeedStatus.Open), OpenCategories(), CurrentIsolation(), Marks: S.Marks.Values.ToList());

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
        var now = calendar.Now;
        var today = calendar.DayOf(now);
        var pending = HealthCodeRules.CloseDaysThrough(calendar.Policy, S.Code, today.AddDays(-1)).Changes;
        var history = S.History.Concat(pending.Select(c => new CodeHistoryEntry(c, ActorKind.System))).ToList();
        return new CodeView(HealthCodeRules.Explain(calendar.Policy, S.Code, now), history, S.Code.AppliedOn, today);
    }

    private void RequireRegistered()
    {
        if (!S.IsRegistered) throw new InvalidOperationException("The resident is not registered.");
    }
}
