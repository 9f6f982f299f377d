using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

[GenerateSerializer, Alias("sanmenxia.HouseholdClaimsState")]
public sealed class HouseholdClaimsState
{
    [Id(0)] public Dictionary<string, HouseholdClaim> Claims { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A village's open household claims (<see cref="IHouseholdClaimsGrain"/>): members a head added that await the village,
/// and confirmed ones someone contested. The resident grain holds the truth (provisional or not); this is the village's
/// worklist, written by the registration workflow and the village's decisions.
/// </summary>
[CollectionAgeLimit(Minutes = 1.5)]
public sealed class HouseholdClaimsGrain(
    [PersistentState("household-claims", StorageNames.Default)] IPersistentState<HouseholdClaimsState> state) : Grain, IHouseholdClaimsGrain
{
    public async Task AddAsync(HouseholdClaim claim)
    {
        if (state.State.Claims.TryGetValue(claim.ResidentKey, out var known) && known == claim with { Contests = known.Contests }) return;
        state.State.Claims[claim.ResidentKey] = claim with { Contests = known?.Contests ?? 0 };
        await state.WriteOrForgetAsync(this);
    }

    public async Task ContestAsync(HouseholdClaim claim)
    {
        var contests = state.State.Claims.TryGetValue(claim.ResidentKey, out var known) ? known.Contests : 0;
        state.State.Claims[claim.ResidentKey] = claim with { Contests = contests + 1 };
        await state.WriteOrForgetAsync(this);
    }

    public async Task RemoveAsync(string residentKey)
    {
        if (!state.State.Claims.Remove(residentKey)) return;
        await state.WriteOrForgetAsync(this);
    }

    public Task<HouseholdClaim?> GetAsync(string residentKey) => Task.FromResult(state.State.Claims.GetValueOrDefault(residentKey));

    public Task<IReadOnlyList<HouseholdClaim>> ListAsync() =>
        Task.FromResult<IReadOnlyList<HouseholdClaim>>(state.State.Claims.Values.OrderBy(c => c.ClaimedAt).ToList());
}
