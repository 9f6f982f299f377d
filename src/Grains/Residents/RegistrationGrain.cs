using Orleans.Concurrency;
using Sanmenxia.Identity;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.Grains.Residents;

/// <summary>
/// The registration workflow (<see cref="IRegistrationGrain"/>): resident grain first, then household membership and the
/// phone → resident link. Holds no state: a local worker, reentrant, so a bulk import's parallel households are not queued.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class RegistrationGrain(PseudonymousKeys keys) : Grain, IRegistrationGrain
{
    public async Task<RegisteredResident> RegisterAsync(NewResident request)
    {
        var (id, name, phone, villageCode, householdId) = (request.Id, request.Name, request.Phone, request.VillageCode, request.HouseholdId);
        var residentKey = keys.ForIdNumber(id.Value);
        var resident = GrainFactory.GetGrain<IResidentGrain>(residentKey);
        var outcome = await resident.RegisterAsync(new ResidentRegistration(id.Value, name, phone?.Value, villageCode, householdId, request.Actor));
        if (outcome != RegistrationOutcome.Created)
        {
            if (await SameRegistrationAsync(resident, outcome, id, phone, request.AnyHousehold ? null : householdId) is not { } stored)
                return new(residentKey, outcome, null);
            (name, villageCode, householdId) = (stored.Name, stored.VillageCode, stored.HouseholdId);
        }

        // Household and phone index are independent rooms: update them in parallel.
        var household = GrainFactory.GetGrain<IHouseholdGrain>(householdId).AddMemberAsync(villageCode,
            new HouseholdMember(residentKey, name, id.Masked, phone is not null, request.IsHead));
        var link = phone is { } p && request.LinkPhone
            ? GrainFactory.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(p.Value)).LinkAsync(residentKey)
            : Task.CompletedTask;
        await Task.WhenAll(household, link);
        return new(residentKey, outcome, await household);
    }

    public async Task<IReadOnlyList<RegisteredResident>> RegisterHouseholdAsync(string villageCode, string householdId,
        IReadOnlyList<NewHouseholdMember> members, Actor actor)
    {
        var results = await Task.WhenAll(members.Select(async m =>
        {
            var residentKey = keys.ForIdNumber(m.Id.Value);
            var resident = GrainFactory.GetGrain<IResidentGrain>(residentKey);
            var outcome = await resident.RegisterAsync(new ResidentRegistration(m.Id.Value, m.Name, m.Phone?.Value, villageCode, householdId, actor));
            var joins = outcome == RegistrationOutcome.Created || await SameRegistrationAsync(resident, outcome, m.Id, m.Phone, householdId) is not null;
            if (joins && m.Phone is { } p)
                await GrainFactory.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(p.Value)).LinkAsync(residentKey);
            return (Member: m, Key: residentKey, Outcome: outcome, Joins: joins);
        }));
        var joined = results.Where(r => r.Joins)
            .Select(r => new HouseholdMember(r.Key, r.Member.Name, r.Member.Id.Masked, r.Member.Phone is not null, r.Member.IsHead)).ToList();
        var household = await GrainFactory.GetGrain<IHouseholdGrain>(householdId).AddMembersAsync(villageCode, joined);
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
