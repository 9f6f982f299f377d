using Sanmenxia.HealthCode;

namespace Sanmenxia.Residents;

[GenerateSerializer, Immutable, Alias("sanmenxia.HouseholdMember")]
public sealed record HouseholdMember(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string Name,
    [property: Id(2)] string MaskedIdNumber,
    [property: Id(3)] bool HasPhone,
    [property: Id(4)] bool IsHead,
    [property: Id(5)] bool Provisional = false);

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
    /// <summary>The village confirmed a member a head added: no longer provisional. False if not a member.</summary>
    [Alias("ConfirmMember")] Task<bool> ConfirmMemberAsync(string residentKey);
    /// <summary>A claimed member leaves: the village reversed the claim, or the person registered for themselves.</summary>
    [Alias("RemoveMember")] Task RemoveMemberAsync(string residentKey);
    /// <summary>Erasure: the member leaves, the head too (the household then has no head); an emptied household clears its state.</summary>
    [Alias("ForgetMember")] Task ForgetMemberAsync(string residentKey);
}

/// <summary>
/// A person a household head added as a member (<see cref="IRegistrationGrain"/>): provisional until the village
/// confirms it or the person registers themselves. <see cref="Contests"/> counts refused attempts by someone else to
/// register the same ID number (their own registration, another head), which the village sees.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.HouseholdClaim")]
public sealed record HouseholdClaim(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string Name,
    [property: Id(2)] string MaskedIdNumber,
    [property: Id(3)] string VillageCode,
    [property: Id(4)] string HouseholdId,
    [property: Id(5)] string HeadResidentKey,
    [property: Id(6)] DateTimeOffset ClaimedAt,
    [property: Id(7)] bool Confirmed,
    [property: Id(8)] int Contests = 0);

/// <summary>A village's open household claims: provisional ones, and confirmed ones someone contested. Key: the village code.</summary>
[Alias("sanmenxia.IHouseholdClaimsGrain")]
public interface IHouseholdClaimsGrain : IGrainWithStringKey
{
    [Alias("Add")] Task AddAsync(HouseholdClaim claim);
    /// <summary>Someone else tried to register this ID number: the claim is listed (again) with one more contest.</summary>
    [Alias("Contest")] Task ContestAsync(HouseholdClaim claim);
    [Alias("Remove")] Task RemoveAsync(string residentKey);
    [Alias("Get")] Task<HouseholdClaim?> GetAsync(string residentKey);
    [Alias("List")] Task<IReadOnlyList<HouseholdClaim>> ListAsync();
}
