using Orleans.Concurrency;
using Sanmenxia.HealthCode;
using Sanmenxia.Regions;
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

/// <summary>A village or community (村/社区): its residents' summaries and counts. Key: 12-digit region code.</summary>
[Alias("sanmenxia.IVillageGrain")]
public interface IVillageGrain : IGrainWithStringKey
{
    [Alias("Define")] Task DefineAsync(RegionInfo info);
    /// <summary>Null when the code is not a known village: callers refuse it as an unknown region.</summary>
    [Alias("Info")] Task<RegionInfo?> GetInfoAsync();
    /// <summary>
    /// Applies a resident's summary if it is newer than the one held (idempotent), counts it and completes once it is stored: concurrent reports to one village share one write
    /// (interleaved), so an acknowledged report survives a crash of the village's silo.
    /// </summary>
    [Alias("Report"), AlwaysInterleave] Task ReportAsync(ResidentSummary summary);
    /// <summary>Read-only and interleaving, so a parent pulling counts never waits on a child that is pushing to it.</summary>
    [Alias("Counts"), AlwaysInterleave] Task<RegionCounts> GetCountsAsync();
    [Alias("List")] Task<Page<VillageResident>> ListResidentsAsync(VillageResidentFilter filter, int skip, int take);
    [Alias("Has")] Task<bool> HasResidentAsync(string residentKey);
    /// <summary>Residents with any key-person register entry (for the register list; a small share of a village).</summary>
    [Alias("KeyPersonResidents")] Task<IReadOnlyList<ResidentSummary>> GetKeyPersonResidentsAsync();
}
