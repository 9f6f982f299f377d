using System.Text.RegularExpressions;

namespace Sanmenxia.Trips;

[GenerateSerializer, Alias("sanmenxia.TravelMode")]
public enum TravelMode { Train, Flight, Coach, Car, Other }

/// <summary>How close a traveller was to a confirmed case on the same trip.</summary>
[GenerateSerializer, Alias("sanmenxia.TripRisk")]
public enum TripRisk { None, SameTrip, SameCarriage, NearbySeats }

/// <summary>Where on the trip someone sat (all optional: 2020's lists often gave only the carriage).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.SeatInfo")]
public sealed record SeatInfo(
    [property: Id(0)] int? Carriage,
    [property: Id(1)] int? Row,
    [property: Id(2)] string? Seat);

/// <summary>A normalized trip: mode, number and date. Its key names the trip grain.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TripId")]
public sealed record TripId(
    [property: Id(0)] TravelMode Mode,
    [property: Id(1)] string Number,
    [property: Id(2)] DateOnly Date)
{
    public string Key => $"{Mode.ToString().ToLowerInvariant()}:{Number}:{Date:yyyyMMdd}";
    public override string ToString() => $"{Mode} {Number} {Date:yyyy-MM-dd}";
}

/// <summary>A confirmed case's trip as published by the command centre (the 2020 lists: date, number, carriage, stations, source).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PublishedCase")]
public sealed record PublishedCase(
    [property: Id(0)] string CaseId,
    [property: Id(1)] SeatInfo Seat,
    [property: Id(2)] string? From,
    [property: Id(3)] string? To,
    [property: Id(4)] string Source,
    [property: Id(5)] DateTimeOffset PublishedAt,
    [property: Id(6)] string PublishedBy,
    [property: Id(7)] bool Withdrawn = false,
    [property: Id(8)] string? WithdrawReason = null);

/// <summary>A resident's match with a published case: notified on the resident page, and a pending close-contact entry.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TripMatch")]
public sealed record TripMatch(
    [property: Id(0)] TripId Trip,
    [property: Id(1)] string CaseId,
    [property: Id(2)] TripRisk Risk,
    [property: Id(3)] string Source,
    [property: Id(4)] DateTimeOffset PublishedAt,
    [property: Id(5)] DateTimeOffset MatchedAt,
    [property: Id(6)] bool Withdrawn = false);

[GenerateSerializer, Immutable, Alias("sanmenxia.SavedTrip")]
public sealed record SavedTrip(
    [property: Id(0)] TripId Trip,
    [property: Id(1)] SeatInfo Seat,
    [property: Id(2)] DateTimeOffset SavedAt,
    [property: Id(3)] DateOnly WatchedUntil);

/// <summary>What anyone may learn about a trip (no personal data): the published cases and how close the asker was.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TripQueryResult")]
public sealed record TripQueryResult(
    [property: Id(0)] TripId Trip,
    [property: Id(1)] TripRisk Risk,
    [property: Id(2)] IReadOnlyList<PublishedCase> Cases);

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
}

/// <summary>Pure trip rules: normalization of numbers and the risk of a seat relative to a case.</summary>
public static partial class TripRules
{
    public const int NearbyRows = 3;

    public static bool TryNormalize(TravelMode mode, string? number, out string normalized, out string? error)
    {
        normalized = "";
        var raw = Regex.Replace(number ?? "", @"[\s\-·]", "").ToUpperInvariant();
        if (raw.Length == 0) { error = "is required"; return false; }
        var ok = mode switch
        {
            TravelMode.Train => TrainPattern().IsMatch(raw),
            TravelMode.Flight => FlightPattern().IsMatch(raw),
            TravelMode.Car => PlatePattern().IsMatch(raw),
            TravelMode.Coach => CoachPattern().IsMatch(raw),
            _ => raw.Length <= 40 && !raw.Any(char.IsControl),
        };
        if (!ok)
        {
            error = mode switch
            {
                TravelMode.Train => "is not a train number (e.g. G1234, K123, 1461)",
                TravelMode.Flight => "is not a flight number (e.g. CZ3456, 3U8888)",
                TravelMode.Car => "is not a car plate (e.g. 豫M12345)",
                TravelMode.Coach => "is not a coach or bus route (letters, digits, up to 20)",
                _ => "must be at most 40 characters",
            };
            return false;
        }
        normalized = raw;
        error = null;
        return true;
    }

    /// <summary>Nearby seats (same carriage, rows within 3; for flights rows within 3) are the higher risk.</summary>
    public static TripRisk RiskOf(TravelMode mode, SeatInfo traveller, SeatInfo @case)
    {
        var sameCarriage = traveller.Carriage is { } a && @case.Carriage is { } b && a == b;
        var carriageIrrelevant = mode is TravelMode.Flight or TravelMode.Car or TravelMode.Coach;
        if ((sameCarriage || carriageIrrelevant) && traveller.Row is { } r1 && @case.Row is { } r2 && Math.Abs(r1 - r2) <= NearbyRows)
            return TripRisk.NearbySeats;
        if (mode == TravelMode.Car) return TripRisk.NearbySeats; // one car: everyone is close
        return sameCarriage ? TripRisk.SameCarriage : TripRisk.SameTrip;
    }

    public static TripRisk Worst(IEnumerable<TripRisk> risks) => risks.DefaultIfEmpty(TripRisk.None).Max();

    [GeneratedRegex(@"^[GDCZTKYLS]?\d{1,4}$")] private static partial Regex TrainPattern();
    [GeneratedRegex(@"^([A-Z]{2}|[A-Z]\d|\d[A-Z])\d{1,4}$")] private static partial Regex FlightPattern();
    [GeneratedRegex(@"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}$")] private static partial Regex PlatePattern();
    [GeneratedRegex(@"^[A-Z0-9\u4e00-\u9fa5]{1,20}$")] private static partial Regex CoachPattern();
}

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

/// <summary>The trips that have published cases. Single instance, key 0.</summary>
[Alias("sanmenxia.ITripIndexGrain")]
public interface ITripIndexGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task AddAsync(TripId trip);
    [Alias("List")] Task<IReadOnlyList<TripId>> ListAsync();
}
