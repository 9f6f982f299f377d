using Sanmenxia.Platform.Stores;
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
// 2.63M residents must not keep 2M directory entries in memory). Reads (sign-in, and the token generation an API
// process asks for while its revocation list is stale) keep it: deactivating after each read made concurrent sign-ins
// for one phone race the deactivation, and calls forwarded from a deactivating activation too often are rejected (503).
// The age limit collects idle ones.
//
// A new token generation is copied to the revocation list after the phone's own state is written: the API processes check
// resident tokens against that list in memory. The other order could lock a phone out (the list ahead of the phone,
// whose next sign-in would issue tokens of the old generation); this one, if the copy fails, fails the call, and the
// repeat of a sign-out (or of the erasure) copies the then-current generation.
[CollectionAgeLimit(Minutes = 1.5)]
public sealed class PhoneDirectoryGrain(
    [PersistentState("phone", StorageNames.Default)] IPersistentState<PhoneDirectoryState> state,
    ITokenRevocationStore revocations) : Grain, IPhoneDirectoryGrain
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
        if (state.State.ResidentKeys.Remove(residentKey))
        {
            state.State.TokenGeneration++;
            await state.WriteOrForgetAsync(this);
        }
        // Also on a repeat (already unlinked): the copy of an earlier attempt may be the part that failed.
        if (state.State.TokenGeneration > 0) await revocations.RecordAsync(this.GetPrimaryKeyString(), state.State.TokenGeneration);
    }

    public Task<IReadOnlyList<string>> GetResidentsAsync() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.ResidentKeys.ToList());

    public Task<int> GetTokenGenerationAsync() => Task.FromResult(state.State.TokenGeneration);

    public async Task<int> RevokeTokensAsync()
    {
        state.State.TokenGeneration++;
        await state.WriteOrForgetAsync(this);
        await revocations.RecordAsync(this.GetPrimaryKeyString(), state.State.TokenGeneration);
        return state.State.TokenGeneration;
    }
}
