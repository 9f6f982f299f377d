using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

[GenerateSerializer, Alias("sanmenxia.PhoneDirectoryState")]
public sealed class PhoneDirectoryState
{
    /// <summary>Resident keys in the order they linked the phone.</summary>
    [Id(0)] public List<string> ResidentKeys { get; set; } = [];
    /// <summary>Resident tokens of an earlier generation no longer work (signed out).</summary>
    [Id(1)] public int TokenGeneration { get; set; }
}

// Links are written at registration, mostly by bulk imports: such a call lets the grain go once done (an import of
// 2.63M residents must not keep 2M directory entries in memory). Reads (sign-in, and the token generation every
// resident request asks for) keep it: deactivating after each read made concurrent sign-ins for one phone race the
// deactivation, and calls forwarded from a deactivating activation too often are rejected (503). The age limit
// collects idle ones.
[CollectionAgeLimit(Minutes = 1.5)]
public sealed class PhoneDirectoryGrain(
    [PersistentState("phone", StorageNames.Default)] IPersistentState<PhoneDirectoryState> state) : Grain, IPhoneDirectoryGrain
{
    public async Task LinkAsync(string residentKey)
    {
        DeactivateOnIdle();
        if (state.State.ResidentKeys.Contains(residentKey)) return;
        state.State.ResidentKeys.Add(residentKey);
        await state.WriteOrForgetAsync(this);
    }

    public async Task UnlinkAsync(string residentKey)
    {
        if (!state.State.ResidentKeys.Remove(residentKey)) return;
        state.State.TokenGeneration++;
        await state.WriteOrForgetAsync(this);
    }

    public Task<IReadOnlyList<string>> GetResidentsAsync() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.ResidentKeys.ToList());

    public Task<int> GetTokenGenerationAsync() => Task.FromResult(state.State.TokenGeneration);

    public async Task<int> RevokeTokensAsync()
    {
        state.State.TokenGeneration++;
        await state.WriteOrForgetAsync(this);
        return state.State.TokenGeneration;
    }
}
