using System.Security.Cryptography;
using System.Text;
using Sanmenxia.Identity;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Residents;

/// <summary>
/// What registering did. <paramref name="Household"/> is set when the resident is in place as asked: newly registered,
/// or the same registration asked again (see <see cref="ResidentRegistrar"/>); null when refused.
/// </summary>
public sealed record RegisteredResident(string ResidentKey, RegistrationOutcome Outcome, HouseholdView? Household);

/// <summary>One person of a household being imported.</summary>
public sealed record NewHouseholdMember(ResidentIdNumber Id, string Name, PhoneNumber? Phone, bool IsHead);

/// <summary>
/// Registers a resident the same way for every path (self-registration, a household head adding a member,
/// bulk CSV import): resident grain, household membership, and the phone → resident link.
/// </summary>
public sealed class ResidentRegistrar(IGrainFactory grains, PseudonymousKeys keys)
{
    public string KeyFor(ResidentIdNumber id) => keys.ForIdNumber(id.Value);

    /// <summary>A new household's id: random for a self-registration.</summary>
    public static string NewHouseholdId() => "h" + Guid.NewGuid().ToString("N");

    /// <summary>An imported household's id: derived from the village and the file's household reference, so re-importing is idempotent.</summary>
    public static string ImportedHouseholdId(string villageCode, string reference) =>
        "h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(villageCode + "|" + reference)))[..32];

    /// <param name="householdId">The household to join; with <paramref name="anyHousehold"/> (self-registration, whose
    /// household id is new on every attempt) an earlier attempt's household counts as the same.</param>
    /// <param name="linkPhone">Whether the phone signs in as this resident now: only when the caller proved it (the
    /// resident's own sign-in, or staff). A phone a household head typed for a member is stored, and linked when its
    /// owner signs in with it and registers with the member's ID number (the same registration, finished).</param>
    public async Task<RegisteredResident> RegisterAsync(ResidentIdNumber id, string name, PhoneNumber? phone, string villageCode,
        string householdId, bool isHead, Actor actor, bool anyHousehold = false, bool linkPhone = true)
    {
        var residentKey = KeyFor(id);
        var resident = grains.GetGrain<IResidentGrain>(residentKey);
        var outcome = await resident.RegisterAsync(new ResidentRegistration(id.Value, name, phone?.Value, villageCode, householdId, actor));
        if (outcome != RegistrationOutcome.Created)
        {
            if (await SameRegistrationAsync(resident, outcome, id, phone, anyHousehold ? null : householdId) is not { } stored)
                return new(residentKey, outcome, null);
            (name, villageCode, householdId) = (stored.Name, stored.VillageCode, stored.HouseholdId);
        }

        // Household and phone index are independent rooms: update them in parallel.
        var household = grains.GetGrain<IHouseholdGrain>(householdId).AddMemberAsync(villageCode,
            new HouseholdMember(residentKey, name, id.Masked, phone is not null, isHead));
        var link = phone is { } p && linkPhone ? grains.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(p.Value)).LinkAsync(residentKey) : Task.CompletedTask;
        await Task.WhenAll(household, link);
        return new(residentKey, outcome, await household);
    }

    /// <summary>
    /// Registers a whole household (bulk import): every member's resident grain and phone link in parallel, then the
    /// household once with all who registered, one write instead of one per member. Outcomes in the members' order.
    /// </summary>
    public async Task<IReadOnlyList<RegisteredResident>> RegisterHouseholdAsync(IReadOnlyList<NewHouseholdMember> members, string villageCode,
        string householdId, Actor actor)
    {
        var results = await Task.WhenAll(members.Select(async m =>
        {
            var residentKey = KeyFor(m.Id);
            var resident = grains.GetGrain<IResidentGrain>(residentKey);
            var outcome = await resident.RegisterAsync(new ResidentRegistration(m.Id.Value, m.Name, m.Phone?.Value, villageCode, householdId, actor));
            var joins = outcome == RegistrationOutcome.Created || await SameRegistrationAsync(resident, outcome, m.Id, m.Phone, householdId) is not null;
            if (joins && m.Phone is { } p)
                await grains.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(p.Value)).LinkAsync(residentKey);
            return (Member: m, Key: residentKey, Outcome: outcome, Joins: joins);
        }));
        var joined = results.Where(r => r.Joins)
            .Select(r => new HouseholdMember(r.Key, r.Member.Name, r.Member.Id.Masked, r.Member.Phone is not null, r.Member.IsHead)).ToList();
        var household = await grains.GetGrain<IHouseholdGrain>(householdId).AddMembersAsync(villageCode, joined);
        return results.Select(r => new RegisteredResident(r.Key, r.Outcome, r.Joins ? household : null)).ToList();
    }

    /// <summary>
    /// An ID number registered before may finish its household entry and phone link (left undone by a failure
    /// between the resident's write and theirs) only when asked again with the same phone and household. Anything
    /// else must change nothing: an ID number is not a secret, and linking the caller's phone to that resident would
    /// sign the caller in as them.
    /// </summary>
    private static async Task<ResidentProfile?> SameRegistrationAsync(IResidentGrain resident, RegistrationOutcome outcome,
        ResidentIdNumber id, PhoneNumber? phone, string? householdId) =>
        outcome == RegistrationOutcome.AlreadyRegistered ? await resident.MatchRegistrationAsync(id.Value, phone?.Value, householdId) : null;
}
