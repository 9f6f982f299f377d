namespace Sanmenxia.Platform.Time;

/// <summary>
/// A silo-wide bound on some work in flight (one instance per silo process, shared by its grains): at most the given
/// number of slots are held at once; the rest wait their turn inside their grain instead of as messages in queues, where
/// they would time out. <see cref="VillageLoadThrottle"/> and <see cref="RollupPullThrottle"/> are its uses.
/// </summary>
public abstract class SlotThrottle(int slots)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, slots));
    private int _waiting;

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct = default)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        return new Slot(_slots);
    }

    /// <summary>Slots free now (for metrics and tests).</summary>
    public int Free => _slots.CurrentCount;

    /// <summary>Callers waiting for a slot now (for metrics and tests).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
