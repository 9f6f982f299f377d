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
        var registration = new ResidentRegistration(id.Value, name, phone?.Value, villageCode, householdId, request.Actor);
        var outcome = await resident.RegisterAsync(registration);
        var provisional = outcome == RegistrationOutcome.Created && request.Actor.Kind == ActorKind.HouseholdProxy;
        if (outcome != RegistrationOutcome.Created)
        {
            if (await SameRegistrationAsync(resident, outcome, id, phone, request.AnyHousehold ? null : householdId) is { } stored)
            {
                (name, villageCode, householdId, provisional) = (stored.Name, stored.VillageCode, stored.HouseholdId, stored.Provisional);
                // The owner of the phone the head typed signed in with it and registered: they accept the household.
                if (provisional && request.Actor.Kind == ActorKind.Self && request.LinkPhone)
                {
                    await ConfirmAsync(resident, residentKey, request.Actor);
                    provisional = false;
                }
            }
            else if (outcome == RegistrationOutcome.AlreadyRegistered && await TakeOverAsync(resident, residentKey, registration) is not null)
                outcome = RegistrationOutcome.Created; // the claim gave way: registered as asked
            else
                return new(residentKey, outcome, null, await RefusalAsync(resident, outcome, request.Actor));
        }

        // Household, phone index and the village's claim list are independent rooms: update them in parallel.
        var household = GrainFactory.GetGrain<IHouseholdGrain>(householdId).AddMemberAsync(villageCode,
            new HouseholdMember(residentKey, name, id.Masked, phone is not null, request.IsHead, provisional));
        var link = phone is { } p && request.LinkPhone
            ? GrainFactory.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(p.Value)).LinkAsync(residentKey)
            : Task.CompletedTask;
        var claim = provisional && await resident.GetClaimAsync() is { } c
            ? GrainFactory.GetGrain<IHouseholdClaimsGrain>(villageCode).AddAsync(c)
            : Task.CompletedTask;
        await Task.WhenAll(household, link, claim);
        return new(residentKey, outcome, await household);
    }

    public async Task<IReadOnlyList<RegisteredResident>> RegisterHouseholdAsync(string villageCode, string householdId,
        IReadOnlyList<NewHouseholdMember> members, Actor actor)
    {
        var results = await Task.WhenAll(members.Select(async m =>
        {
            var residentKey = keys.ForIdNumber(m.Id.Value);
            var resident = GrainFactory.GetGrain<IResidentGrain>(residentKey);
            var registration = new ResidentRegistration(m.Id.Value, m.Name, m.Phone?.Value, villageCode, householdId, actor);
            var outcome = await resident.RegisterAsync(registration);
            // The village's own import is the authority a head's provisional claim gives way to.
            var joins = outcome == RegistrationOutcome.Created || await SameRegistrationAsync(resident, outcome, m.Id, m.Phone, householdId) is not null;
            if (!joins && outcome == RegistrationOutcome.AlreadyRegistered && await TakeOverAsync(resident, residentKey, registration) is not null)
                (joins, outcome) = (true, RegistrationOutcome.Created);
            if (joins && m.Phone is { } p)
                await GrainFactory.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(p.Value)).LinkAsync(residentKey);
            var refusal = joins ? RegistrationRefusal.None : await RefusalAsync(resident, outcome, actor);
            return (Member: m, Key: residentKey, Outcome: outcome, Joins: joins, Refusal: refusal);
        }));
        var joined = results.Where(r => r.Joins)
            .Select(r => new HouseholdMember(r.Key, r.Member.Name, r.Member.Id.Masked, r.Member.Phone is not null, r.Member.IsHead)).ToList();
        var household = await GrainFactory.GetGrain<IHouseholdGrain>(householdId).AddMembersAsync(villageCode, joined);
        return results.Select(r => new RegisteredResident(r.Key, r.Outcome, r.Joins ? household : null, r.Refusal)).ToList();
    }

    public async Task<HouseholdClaim?> ConfirmClaimAsync(string residentKey, Actor by)
    {
        var resident = GrainFactory.GetGrain<IResidentGrain>(residentKey);
        return await ConfirmAsync(resident, residentKey, by);
    }

    public async Task<HouseholdClaim?> ReverseClaimAsync(string villageCode, string residentKey, Actor by)
    {
        // The resident first, the household next, the village's worklist last: a failure part-way leaves the claim listed,
        // and asking again finishes it (the worklist entry still names the household the record left).
        var resident = GrainFactory.GetGrain<IResidentGrain>(residentKey);
        var worklist = GrainFactory.GetGrain<IHouseholdClaimsGrain>(villageCode);
        var claim = await resident.ReverseClaimAsync(by);
        if (claim is null)
        {
            if (await worklist.GetAsync(residentKey) is not { } listed) return null;
            if (await resident.GetProfileAsync() is { } owner)
            {
                // The person took the record over and a failure left the claim's household entry and listing behind.
                if (owner.HouseholdId != listed.HouseholdId) await GrainFactory.GetGrain<IHouseholdGrain>(listed.HouseholdId).RemoveMemberAsync(residentKey);
                await worklist.RemoveAsync(residentKey);
                return null;
            }
            claim = listed; // reversed before, and the household or the worklist was left to do
        }
        await GrainFactory.GetGrain<IHouseholdGrain>(claim.HouseholdId).RemoveMemberAsync(residentKey);
        await worklist.RemoveAsync(residentKey);
        return claim;
    }

    private async Task<HouseholdClaim?> ConfirmAsync(IResidentGrain resident, string residentKey, Actor by)
    {
        // The household before the worklist: a failure part-way leaves the claim listed, and confirming again finishes it.
        var claim = await resident.ConfirmClaimAsync(by);
        if (claim is null) return null;
        await GrainFactory.GetGrain<IHouseholdGrain>(claim.HouseholdId).ConfirmMemberAsync(residentKey);
        await GrainFactory.GetGrain<IHouseholdClaimsGrain>(claim.VillageCode).RemoveAsync(residentKey);
        return claim;
    }

    /// <summary>
    /// The person registers for themselves with a phone they proved, or staff import them: a provisional claim on their ID
    /// number gives way. The record is theirs now; it leaves the claimer's household and the village's worklist.
    /// </summary>
    private async Task<HouseholdClaim?> TakeOverAsync(IResidentGrain resident, string residentKey, ResidentRegistration registration)
    {
        var takes = registration.RegisteredBy.Kind == ActorKind.Staff
            || registration.RegisteredBy.Kind == ActorKind.Self && registration.Phone is not null;
        if (!takes || await resident.TakeOverAsync(registration) is not { } claim) return null;
        // A failure after the takeover leaves a stale member and worklist entry: the village's reversal of it finds no
        // claim (the record is the person's now), clears both and answers so.
        await Task.WhenAll(GrainFactory.GetGrain<IHouseholdGrain>(claim.HouseholdId).RemoveMemberAsync(residentKey),
            GrainFactory.GetGrain<IHouseholdClaimsGrain>(claim.VillageCode).RemoveAsync(residentKey));
        return claim;
    }

    /// <summary>Why a registration of a registered ID number was refused; a refused attempt on a claim is shown to the village.</summary>
    private async Task<RegistrationRefusal> RefusalAsync(IResidentGrain resident, RegistrationOutcome outcome, Actor by)
    {
        if (outcome != RegistrationOutcome.AlreadyRegistered || await resident.GetClaimAsync() is not { } claim)
            return RegistrationRefusal.AlreadyRegistered;
        // The head who made the claim asking again into another household is no contest.
        if (by.Kind != ActorKind.HouseholdProxy || by.Id != claim.HeadResidentKey)
            await GrainFactory.GetGrain<IHouseholdClaimsGrain>(claim.VillageCode).ContestAsync(claim);
        return RegistrationRefusal.ClaimedByHousehold;
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
