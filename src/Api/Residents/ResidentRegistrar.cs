using System.Security.Cryptography;
using System.Text;
using Sanmenxia.Identity;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Residents;

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

    public async Task<RegisteredResident> RegisterAsync(ResidentIdNumber id, string name, PhoneNumber? phone, string villageCode,
        string householdId, bool isHead, Actor actor)
    {
        var residentKey = KeyFor(id);
        var outcome = await grains.GetGrain<IResidentGrain>(residentKey).RegisterAsync(
            new ResidentRegistration(id.Value, name, phone?.Value, villageCode, householdId, actor));
        if (outcome == RegistrationOutcome.Conflict) return new(residentKey, outcome, null);

        // Household and phone index are independent rooms: update them in parallel.
        var household = grains.GetGrain<IHouseholdGrain>(householdId).AddMemberAsync(villageCode,
            new HouseholdMember(residentKey, name, id.Masked, phone is not null, isHead));
        var link = phone is { } p ? grains.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(p.Value)).LinkAsync(residentKey) : Task.CompletedTask;
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
            var outcome = await grains.GetGrain<IResidentGrain>(residentKey).RegisterAsync(
                new ResidentRegistration(m.Id.Value, m.Name, m.Phone?.Value, villageCode, householdId, actor));
            if (outcome != RegistrationOutcome.Conflict && m.Phone is { } p)
                await grains.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(p.Value)).LinkAsync(residentKey);
            return (Member: m, Key: residentKey, Outcome: outcome);
        }));
        var joined = results.Where(r => r.Outcome != RegistrationOutcome.Conflict)
            .Select(r => new HouseholdMember(r.Key, r.Member.Name, r.Member.Id.Masked, r.Member.Phone is not null, r.Member.IsHead)).ToList();
        var household = await grains.GetGrain<IHouseholdGrain>(householdId).AddMembersAsync(villageCode, joined);
        return results.Select(r => new RegisteredResident(r.Key, r.Outcome, r.Outcome == RegistrationOutcome.Conflict ? null : household)).ToList();
    }
}
