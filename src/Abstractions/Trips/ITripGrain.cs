namespace Sanmenxia.Trips;

/// <summary>
/// One trip (keyed by mode:number:date): the cases published on it and the residents who saved it. Matches
/// both ways: a publication notifies every saved traveller, a newly saved traveller learns the cases at once.
/// </summary>
[Alias("sanmenxia.ITripGrain")]
public interface ITripGrain : IGrainWithStringKey
{
    [Alias("Publish")] Task<PublishedCase> PublishCaseAsync(TripId trip, PublishedCase published);
    [Alias("Withdraw")] Task<bool> WithdrawCaseAsync(string caseId, string reason);
    [Alias("AddTraveller")] Task<IReadOnlyList<PublishedCase>> AddTravellerAsync(TripId trip, string residentKey, SeatInfo seat);
    [Alias("RemoveTraveller")] Task RemoveTravellerAsync(string residentKey);
    /// <summary>
    /// From a resident: it handled (and stored) this version of a case. One-way; a lost confirmation only means the
    /// case is delivered again, which the resident ignores and confirms again.
    /// </summary>
    [Alias("Delivered"), Orleans.Concurrency.OneWay] Task DeliveredAsync(string residentKey, PublishedCase delivered);
    [Alias("Query"), Orleans.Concurrency.AlwaysInterleave] Task<TripQueryResult> QueryAsync(SeatInfo seat);
    /// <summary>Retention: clears the stored state (cases, travellers) and deactivates; returns how many travellers it held.</summary>
    [Alias("Forget")] Task<int> ForgetAsync();
}
