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
public sealed class HouseholdGrain(
    [PersistentState("household", StorageNames.Default)] IPersistentState<HouseholdState> state) : Grain, IHouseholdGrain
{
    public async Task<HouseholdView> AddMemberAsync(string villageCode, HouseholdMember member)
    {
        if (state.State.Members.Count == 0) state.State.VillageCode = villageCode;
        var index = state.State.Members.FindIndex(m => m.ResidentKey == member.ResidentKey);
        var isHead = member.IsHead && state.State.HeadResidentKey is null || state.State.HeadResidentKey == member.ResidentKey;
        var stored = member with { IsHead = isHead };
        if (index >= 0) state.State.Members[index] = stored; else state.State.Members.Add(stored);
        if (isHead) state.State.HeadResidentKey = member.ResidentKey;
        await state.WriteStateAsync();
        return View();
    }

    public Task<HouseholdView?> GetAsync() => Task.FromResult(state.State.Members.Count == 0 ? null : View());

    private HouseholdView View() =>
        new(this.GetPrimaryKeyString(), state.State.VillageCode, state.State.HeadResidentKey, state.State.Members.ToList());
}
