using Microsoft.Extensions.Logging;
using Sanmenxia.Residents;
using Sanmenxia.Trips;

namespace Sanmenxia.Grains.Trips;

[GenerateSerializer, Alias("sanmenxia.TripState")]
public sealed class TripState
{
    [Id(0)] public TripId? Trip { get; set; }
    [Id(1)] public Dictionary<string, PublishedCase> Cases { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Residents who saved this trip and are still watched, with where they sat.</summary>
    [Id(2)] public Dictionary<string, SeatInfo> Travellers { get; set; } = new(StringComparer.Ordinal);
    /// <summary>(resident, case) notifications not yet acknowledged: kept until delivered, so a silo outage loses none.</summary>
    [Id(3)] public HashSet<string> Undelivered { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One trip: its published cases and its watched travellers. A publication (or withdrawal) is stored first,
/// with one undelivered notification per traveller, then delivered; what a resident's silo could not take is
/// retried by a reminder until it is, so matching is right even when a publication arrives during an outage.
/// </summary>
/// <remarks>
/// Delivery is at least once, through a one-way call and a confirmation. <see cref="ITripTraveller.CaseOnTripAsync"/>
/// is one-way, so this grain never awaits a resident (a resident awaits this grain when it saves a trip: the calls
/// cannot form a cycle), and sending it says nothing about its success. A notification therefore stays in
/// <see cref="TripState.Undelivered"/> (stored, with the retry reminder registered before the first attempt) until
/// the resident confirms, after handling and storing it, with <see cref="DeliveredAsync"/> for that exact version of
/// the case (a confirmation of the publication does not count for a later withdrawal). Confirmations only shrink the
/// set in memory; the set is written when it empties (and the reminder then unregistered). A confirmation lost with
/// an activation means one more delivery, which the resident ignores (idempotent) and confirms again.
/// </remarks>
public sealed class TripGrain(
    [PersistentState("trip", StorageNames.Default)] IPersistentState<TripState> state,
    ILogger<TripGrain> logger) : Grain, ITripGrain, IRemindable
{
    private const string RetryReminder = "deliver";
    private TripState S => state.State;

    public async Task<PublishedCase> PublishCaseAsync(TripId trip, PublishedCase published)
    {
        S.Trip ??= trip;
        if (S.Cases.TryGetValue(published.CaseId, out var known) && !known.Withdrawn)
        {
            // Published before: idempotent. A publisher retrying after a failure also gets what is still undelivered sent.
            if (S.Undelivered.Count > 0) await DeliverAsync();
            return known;
        }
        S.Cases[published.CaseId] = published;
        await NotifyAllAsync(published.CaseId);
        return published;
    }

    public async Task<bool> WithdrawCaseAsync(string caseId, string reason)
    {
        if (!S.Cases.TryGetValue(caseId, out var published) || published.Withdrawn) return false;
        S.Cases[caseId] = published with { Withdrawn = true, WithdrawReason = reason };
        await NotifyAllAsync(caseId);
        return true;
    }

    public async Task<IReadOnlyList<PublishedCase>> AddTravellerAsync(TripId trip, string residentKey, SeatInfo seat)
    {
        S.Trip ??= trip;
        if (!S.Travellers.TryGetValue(residentKey, out var known) || known != seat)
        {
            S.Travellers[residentKey] = seat;
            await state.WriteOrForgetAsync(this);
        }
        return S.Cases.Values.Where(c => !c.Withdrawn).ToList();
    }

    public async Task<int> ForgetAsync()
    {
        var travellers = S.Travellers.Count;
        if (await this.GetReminder(RetryReminder) is { } reminder) await this.UnregisterReminder(reminder);
        await state.ClearAndDeactivateAsync(this, () => new TripState());
        return travellers;
    }

    public async Task RemoveTravellerAsync(string residentKey)
    {
        if (S.Travellers.Remove(residentKey)) await state.WriteOrForgetAsync(this);
    }

    public Task<TripQueryResult> QueryAsync(SeatInfo seat)
    {
        var cases = S.Cases.Values.Where(c => !c.Withdrawn).OrderBy(c => c.PublishedAt).ToList();
        var trip = S.Trip ?? ParseKey(this.GetPrimaryKeyString());
        var risk = TripRules.Worst(cases.Select(c => TripRules.RiskOf(trip.Mode, seat, c.Seat)));
        return Task.FromResult(new TripQueryResult(trip, risk, cases));
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RetryReminder) return;
        if (S.Undelivered.Count > 0) await DeliverAsync();
        else if (await this.GetReminder(RetryReminder) is { } reminder) await this.UnregisterReminder(reminder); // all confirmed
    }

    private async Task NotifyAllAsync(string caseId)
    {
        foreach (var resident in S.Travellers.Keys) S.Undelivered.Add($"{resident}|{caseId}");
        await state.WriteOrForgetAsync(this); // the publication and its pending notifications are durable first
        // The retry reminder before the first attempt, so a failure anywhere after the write still leaves a way to deliver.
        if (S.Undelivered.Count > 0) await this.RegisterOrUpdateReminder(RetryReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await DeliverAsync();
    }

    public async Task DeliveredAsync(string residentKey, PublishedCase delivered)
    {
        if (!S.Cases.TryGetValue(delivered.CaseId, out var current) || current != delivered) return; // an older version: keep it pending
        if (!S.Undelivered.Remove($"{residentKey}|{delivered.CaseId}") || S.Undelivered.Count > 0) return;
        await state.WriteOrForgetAsync(this);
        if (await this.GetReminder(RetryReminder) is { } reminder)
            await this.UnregisterReminder(reminder); // registered before the first attempt (NotifyAllAsync)
    }

    /// <summary>Sends every pending notification (one-way); each stays pending until its resident confirms it.</summary>
    private async Task DeliverAsync()
    {
        if (S.Undelivered.Count == 0) return;
        var trip = S.Trip!;
        foreach (var item in S.Undelivered.ToList())
        {
            var (resident, caseId) = (item[..item.IndexOf('|')], item[(item.IndexOf('|') + 1)..]);
            try
            {
                await GrainFactory.GetGrain<IResidentGrain>(resident).CaseOnTripAsync(trip, S.Cases[caseId]);
            }
            catch (Exception e)
            {
                logger.LogWarning("Trip {Trip}: resident {Resident} not reached ({Error}); will retry", trip.Key, resident, e.GetType().Name);
            }
        }
    }

    public static TripId ParseKey(string key)
    {
        var parts = key.Split(':');
        return new TripId(Enum.Parse<TravelMode>(parts[0], ignoreCase: true), parts[1], DateOnly.ParseExact(parts[2], "yyyyMMdd"));
    }
}

[GenerateSerializer, Alias("sanmenxia.TripIndexState")]
public sealed class TripIndexState
{
    [Id(0)] public Dictionary<string, TripId> Trips { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The trips with published cases, for the commanders' publication page. Single instance, key 0.</summary>
public sealed class TripIndexGrain(
    [PersistentState("trip-index", StorageNames.Default)] IPersistentState<TripIndexState> state) : Grain, ITripIndexGrain
{
    public async Task AddAsync(TripId trip)
    {
        if (state.State.Trips.TryAdd(trip.Key, trip)) await state.WriteOrForgetAsync(this);
    }

    public async Task RemoveAsync(IReadOnlyList<TripId> trips)
    {
        if (trips.Count(t => state.State.Trips.Remove(t.Key)) > 0) await state.WriteOrForgetAsync(this);
    }

    public Task<IReadOnlyList<TripId>> ListAsync() =>
        Task.FromResult<IReadOnlyList<TripId>>(state.State.Trips.Values.OrderByDescending(t => t.Date).ThenBy(t => t.Key).ToList());
}
