namespace Sanmenxia.Trips;

/// <summary>Trip operations on a resident; implemented by the resident grain.</summary>
[Alias("sanmenxia.ITripTraveller")]
public interface ITripTraveller : IGrainWithStringKey
{
    [Alias("SaveTrip")] Task<(SavedTrip Trip, IReadOnlyList<TripMatch> Matches)> SaveTripAsync(TripId trip, SeatInfo seat);
    [Alias("Trips")] Task<(IReadOnlyList<SavedTrip> Trips, IReadOnlyList<TripMatch> Matches)> GetTripsAsync();
    /// <summary>
    /// From a trip grain: a case was published (or withdrawn) on a trip this resident saved. Idempotent. One-way: it
    /// queues in the resident's mailbox like any call, and the trip grain awaits nothing from the resident, so a
    /// resident saving that trip (awaiting the trip grain) cannot deadlock with it. Once handled (and stored), the
    /// resident confirms with <see cref="ITripGrain.DeliveredAsync"/>.
    /// </summary>
    [Alias("CaseOnTrip"), Orleans.Concurrency.OneWay] Task CaseOnTripAsync(TripId trip, PublishedCase published);
}
