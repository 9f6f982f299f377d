using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

[GenerateSerializer, Alias("sanmenxia.PhoneDirectoryState")]
public sealed class PhoneDirectoryState
{
    /// <summary>Resident keys in the order they linked the phone.</summary>
    [Id(0)] public List<string> ResidentKeys { get; set; } = [];
}

// Touched at registration and sign-in only: no reason to stay in memory long.
[CollectionAgeLimit(Minutes = 2)]
public sealed class PhoneDirectoryGrain(
    [PersistentState("phone", StorageNames.Default)] IPersistentState<PhoneDirectoryState> state) : Grain, IPhoneDirectoryGrain
{
    public async Task LinkAsync(string residentKey)
    {
        if (state.State.ResidentKeys.Contains(residentKey)) return;
        state.State.ResidentKeys.Add(residentKey);
        await state.WriteStateAsync();
    }

    public async Task UnlinkAsync(string residentKey)
    {
        if (state.State.ResidentKeys.Remove(residentKey)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> GetResidentsAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.ResidentKeys.ToList());
}
