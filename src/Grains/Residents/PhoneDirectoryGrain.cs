using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

[GenerateSerializer, Alias("sanmenxia.PhoneDirectoryState")]
public sealed class PhoneDirectoryState
{
    /// <summary>Resident keys in the order they linked the phone.</summary>
    [Id(0)] public List<string> ResidentKeys { get; set; } = [];
}

// Touched at registration and sign-in only: each call lets it go once done (a bulk import of 2.63M residents
// must not keep 2M directory entries in memory), and the age limit is the fallback.
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

    public Task<IReadOnlyList<string>> GetResidentsAsync()
    {
        DeactivateOnIdle();
        return Task.FromResult<IReadOnlyList<string>>(state.State.ResidentKeys.ToList());
    }
}
