namespace Sanmenxia.Trips;

// A trip, the seats on it, the cases published on it, and what a resident saved and matched.

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
