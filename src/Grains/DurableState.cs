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

/// <summary>How a grain erases its stored state (retention and erasure, docs/data-governance.md).</summary>
public static class DurableErasure
{
    /// <summary>
    /// Clears the stored state (the row keeps only its key and version until the retention job deletes it), resets the
    /// state in memory and deactivates the grain, so a later call starts from nothing instead of serving what was
    /// erased. On failure the activation is dropped too (the next call reloads what is stored) and the failure goes on.
    /// </summary>
    public static async Task ClearAndDeactivateAsync<T>(this IPersistentState<T> state, IGrainBase grain, Func<T> empty)
    {
        try
        {
            await state.ClearStateAsync();
            state.State = empty();
        }
        finally
        {
            grain.DeactivateOnIdle();
        }
    }
}
