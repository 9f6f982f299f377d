using System.Security.Cryptography;
using System.Text;
using Sanmenxia.Identity;

namespace Sanmenxia.Residents;

/// <summary>One person to register (self-registration, a household head adding a member).</summary>
/// <param name="HouseholdId">The household to join; with <paramref name="AnyHousehold"/> (self-registration, whose household
/// id is new on every attempt) an earlier attempt's household counts as the same.</param>
/// <param name="LinkPhone">Whether the phone signs in as this resident now: only when the caller proved it (the resident's
/// own sign-in, or staff). A phone a household head typed for a member is stored, and linked when its owner signs in with it
/// and registers with the member's ID number (the same registration, finished).</param>
[GenerateSerializer, Immutable, Alias("sanmenxia.NewResident")]
public sealed record NewResident(
    [property: Id(0)] ResidentIdNumber Id,
    [property: Id(1)] string Name,
    [property: Id(2)] PhoneNumber? Phone,
    [property: Id(3)] string VillageCode,
    [property: Id(4)] string HouseholdId,
    [property: Id(5)] bool IsHead,
    [property: Id(6)] Actor Actor,
    [property: Id(7)] bool AnyHousehold = false,
    [property: Id(8)] bool LinkPhone = true);

/// <summary>One person of a household being imported.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.NewHouseholdMember")]
public sealed record NewHouseholdMember(
    [property: Id(0)] ResidentIdNumber Id,
    [property: Id(1)] string Name,
    [property: Id(2)] PhoneNumber? Phone,
    [property: Id(3)] bool IsHead);

/// <summary>
/// What registering did. <see cref="Household"/> is set when the resident is in place as asked: newly registered, or the
/// same registration asked again (see <see cref="IRegistrationGrain"/>); null when refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.RegisteredResident")]
public sealed record RegisteredResident(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] RegistrationOutcome Outcome,
    [property: Id(2)] HouseholdView? Household,
    [property: Id(3)] RegistrationRefusal Refusal = RegistrationRefusal.None);

/// <summary>Why a registration was refused (<see cref="RegisteredResident.Household"/> null).</summary>
[GenerateSerializer, Alias("sanmenxia.RegistrationRefusal")]
public enum RegistrationRefusal
{
    None,
    /// <summary>The ID number is registered (by its owner with a phone, or by staff); only that registration may finish.</summary>
    AlreadyRegistered,
    /// <summary>A household head added the ID number as a member (confirmed by the village, or claimed by another head).</summary>
    ClaimedByHousehold,
}

/// <summary>Household ids: random for a self-registration, derived for an import.</summary>
public static class HouseholdIds
{
    /// <summary>A new household's id: random for a self-registration.</summary>
    public static string New() => "h" + Guid.NewGuid().ToString("N");

    /// <summary>An imported household's id: derived from the village and the file's household reference, so re-importing is idempotent.</summary>
    public static string Imported(string villageCode, string reference) =>
        "h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(villageCode + "|" + reference)))[..32];
}

/// <summary>
/// Registers a resident the same way for every path (self-registration, a household head adding a member, bulk CSV
/// import): the resident grain, the household membership, and the phone → resident link. Resumable: an ID number
/// registered before finishes its household entry and phone link (left undone by a failure between the writes) only
/// when asked again with the same phone and household; anything else changes nothing, since an ID number is not a
/// secret. Stateless (a local worker, reentrant). Key 0.
/// </summary>
[Alias("sanmenxia.IRegistrationGrain")]
public interface IRegistrationGrain : IGrainWithIntegerKey
{
    [Alias("Register")] Task<RegisteredResident> RegisterAsync(NewResident resident);

    /// <summary>
    /// A whole household (bulk import): every member's resident grain and phone link in parallel, then the household once
    /// with all who registered, one write instead of one per member. Outcomes in the members' order.
    /// </summary>
    [Alias("RegisterHousehold")]
    // Imports register whole households (many grains each): exempt from the short failover timeout (Orleans:ResponseTimeout).
    [ResponseTimeout("00:00:30")]
    Task<IReadOnlyList<RegisteredResident>> RegisterHouseholdAsync(string villageCode, string householdId, IReadOnlyList<NewHouseholdMember> members,
        Actor actor);

    /// <summary>The village confirms a head's claim: the member is no longer provisional. Null if the record is no claim.</summary>
    [Alias("ConfirmClaim")] Task<HouseholdClaim?> ConfirmClaimAsync(string residentKey, Actor by);

    /// <summary>The village reverses a head's claim: the record forgets it, the member leaves the household. Null if no claim.</summary>
    [Alias("ReverseClaim")] Task<HouseholdClaim?> ReverseClaimAsync(string villageCode, string residentKey, Actor by);
}
