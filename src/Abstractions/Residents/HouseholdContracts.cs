using Sanmenxia.HealthCode;

namespace Sanmenxia.Residents;

[GenerateSerializer, Immutable, Alias("sanmenxia.HouseholdMember")]
public sealed record HouseholdMember(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string Name,
    [property: Id(2)] string MaskedIdNumber,
    [property: Id(3)] bool HasPhone,
    [property: Id(4)] bool IsHead);

[GenerateSerializer, Immutable, Alias("sanmenxia.HouseholdView")]
public sealed record HouseholdView(
    [property: Id(0)] string HouseholdId,
    [property: Id(1)] string VillageCode,
    [property: Id(2)] string? HeadResidentKey,
    [property: Id(3)] IReadOnlyList<HouseholdMember> Members);

/// <summary>A household (户): its village, its head and members. Key: "h" + 32 hex chars.</summary>
[Alias("sanmenxia.IHouseholdGrain")]
public interface IHouseholdGrain : IGrainWithStringKey
{
    /// <summary>Adds or updates a member; the first member added as head becomes the head.</summary>
    [Alias("AddMember")] Task<HouseholdView> AddMemberAsync(string villageCode, HouseholdMember member);
    /// <summary>Adds or updates several members with one write (bulk import: a whole household at once).</summary>
    [Alias("AddMembers")] Task<HouseholdView> AddMembersAsync(string villageCode, IReadOnlyList<HouseholdMember> members);
    [Alias("Get")] Task<HouseholdView?> GetAsync();
}
