using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

[GenerateSerializer, Alias("sanmenxia.HouseholdState")]
public sealed class HouseholdState
{
    [Id(0)] public string VillageCode { get; set; } = "";
    [Id(1)] public string? HeadResidentKey { get; set; }
    [Id(2)] public List<HouseholdMember> Members { get; set; } = [];
}

/// <summary>A household: who belongs to it and who is its head (the head may act for members without a phone).</summary>
// Touched at registration and by a head acting for members: no reason to stay in memory long.
[CollectionAgeLimit(Minutes = 1.5)]
public sealed class HouseholdGrain(
    [PersistentState("household", StorageNames.Default)] IPersistentState<HouseholdState> state) : Grain, IHouseholdGrain
{
    public Task<HouseholdView> AddMemberAsync(string villageCode, HouseholdMember member) => StoreMembersAsync(villageCode, [member]);

    public Task<HouseholdView> AddMembersAsync(string villageCode, IReadOnlyList<HouseholdMember> members)
    {
        // A bulk import: nobody will use this household for a while, so it leaves memory once stored.
        DeactivateOnIdle();
        return StoreMembersAsync(villageCode, members);
    }

    private async Task<HouseholdView> StoreMembersAsync(string villageCode, IReadOnlyList<HouseholdMember> members)
    {
        if (members.Count == 0) return View();
        if (state.State.Members.Count == 0) state.State.VillageCode = villageCode;
        foreach (var member in members.OrderByDescending(m => m.IsHead)) // a head in the batch is seen before its members
        {
            var index = state.State.Members.FindIndex(m => m.ResidentKey == member.ResidentKey);
            var isHead = member.IsHead && state.State.HeadResidentKey is null || state.State.HeadResidentKey == member.ResidentKey;
            var stored = member with { IsHead = isHead };
            if (index >= 0) state.State.Members[index] = stored; else state.State.Members.Add(stored);
            if (isHead) state.State.HeadResidentKey = member.ResidentKey;
        }
        await state.WriteOrForgetAsync(this);
        return View();
    }

    public Task<HouseholdView?> GetAsync() => Task.FromResult(state.State.Members.Count == 0 ? null : View());

    public async Task<bool> ConfirmMemberAsync(string residentKey)
    {
        var index = state.State.Members.FindIndex(m => m.ResidentKey == residentKey);
        if (index < 0) return false;
        if (!state.State.Members[index].Provisional) return true;
        state.State.Members[index] = state.State.Members[index] with { Provisional = false };
        await state.WriteOrForgetAsync(this);
        return true;
    }

    public async Task RemoveMemberAsync(string residentKey)
    {
        // Only a claimed member leaves this way, never the head (a claim is never the head: the head registered themselves).
        if (residentKey == state.State.HeadResidentKey || state.State.Members.RemoveAll(m => m.ResidentKey == residentKey) == 0) return;
        await state.WriteOrForgetAsync(this);
    }

    public async Task ForgetMemberAsync(string residentKey)
    {
        if (state.State.Members.RemoveAll(m => m.ResidentKey == residentKey) == 0) return;
        if (state.State.HeadResidentKey == residentKey) state.State.HeadResidentKey = null;
        if (state.State.Members.Count == 0) await state.ClearAndDeactivateAsync(this, () => new HouseholdState());
        else await state.WriteOrForgetAsync(this);
    }

    private HouseholdView View() =>
        new(this.GetPrimaryKeyString(), state.State.VillageCode, state.State.HeadResidentKey, state.State.Members.ToList());
}
