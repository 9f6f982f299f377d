using Sanmenxia.Security;

namespace Sanmenxia.Grains.Security;

[GenerateSerializer, Alias("sanmenxia.BreakGlassState")]
public sealed class BreakGlassState
{
    [Id(0)] public List<BreakGlassGrant> Grants { get; set; } = [];
}

/// <summary>
/// Keeps one staff member's break-the-glass grants, stored so that every API process and a restarted silo see the same
/// ones. It takes the time from its caller: the API decides on the domain clock (tests drive it), the grain only keeps.
/// </summary>
public sealed class BreakGlassGrain(
    [PersistentState("break-glass", StorageNames.Default)] IPersistentState<BreakGlassState> state) : Grain, IBreakGlassGrain
{
    public async Task OpenAsync(BreakGlassGrant grant, DateTimeOffset now)
    {
        state.State.Grants.RemoveAll(g => g.Until <= now || g.ResidentKey == grant.ResidentKey);
        state.State.Grants.Add(grant);
        await state.WriteOrForgetAsync(this);
    }

    public Task<BreakGlassGrant?> ActiveAsync(string residentKey, DateTimeOffset now) =>
        Task.FromResult(state.State.Grants.FirstOrDefault(g => g.ResidentKey == residentKey && now < g.Until));
}
