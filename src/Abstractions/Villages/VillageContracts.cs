using Sanmenxia.HealthCode;
using Sanmenxia.Residents;

namespace Sanmenxia.Villages;

/// <summary>What a staff list shows of a resident.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.VillageResident")]
public sealed record VillageResident(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string Name,
    [property: Id(2)] string MaskedIdNumber,
    [property: Id(3)] string HouseholdId,
    [property: Id(4)] CodeColour Colour,
    [property: Id(5)] bool ClockedInToday,
    [property: Id(6)] decimal? LastTemperature,
    [property: Id(7)] bool Fever,
    [property: Id(8)] int OpenNeeds,
    [property: Id(9)] KeyPersonFlags KeyPersons,
    [property: Id(10)] IsolationKind Isolation);

[GenerateSerializer, Immutable, Alias("sanmenxia.VillageResidentFilter")]
public sealed record VillageResidentFilter(
    [property: Id(0)] CodeColour? Colour = null,
    [property: Id(1)] bool? Fever = null,
    [property: Id(2)] bool? Isolated = null,
    [property: Id(3)] bool? OpenNeeds = null,
    [property: Id(4)] KeyPersonFlags? KeyPerson = null,
    [property: Id(5)] bool? ClockedInToday = null);

[GenerateSerializer, Immutable, Alias("sanmenxia.Page`1")]
public sealed record Page<T>(
    [property: Id(0)] IReadOnlyList<T> Items,
    [property: Id(1)] int Total,
    [property: Id(2)] int Skip,
    [property: Id(3)] int Take);
