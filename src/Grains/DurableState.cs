namespace Sanmenxia.Grains;

/// <summary>How a grain writes state it has already changed in memory.</summary>
public static class DurableState
{
    /// <summary>
    /// Writes the state; if the write fails, the activation is dropped before its next call, so that call reloads
    /// what is stored instead of serving a change that never was (a half-written record), then the failure goes
    /// to the caller as usual.
    /// </summary>
    public static async Task WriteOrForgetAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
