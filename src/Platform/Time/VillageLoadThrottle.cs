using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;

namespace Sanmenxia.Platform.Time;

/// <summary>
/// The back-pressure of village activations: one per silo process, shared by its villages, so however many villages
/// activate together (after a restart the first dashboard call activates every village of the city through the
/// roll-up tree), at most <see cref="DeadlineOptions.VillageLoadsInFlightPerSilo"/> of them read their residents' rows
/// at once. The others wait their turn in their activation, and the pool keeps connections for live requests (before
/// this, a restart's re-activations emptied the silo's pool of 40 and about 1,000 of them failed on its 15 s wait).
/// </summary>
public sealed class VillageLoadThrottle(IOptions<DeadlineOptions> options)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.VillageLoadsInFlightPerSilo));
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

    /// <summary>Villages waiting for a slot now (for metrics and tests).</summary>
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
