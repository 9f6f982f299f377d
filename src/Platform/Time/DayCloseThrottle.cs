using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;

namespace Sanmenxia.Platform.Time;

/// <summary>
/// The back-pressure of the day close: one per silo process, shared by its villages, so however many villages roll
/// into a new day together, at most <see cref="DeadlineOptions.DayCloseInFlightPerSilo"/> residents are being closed
/// at once. The rest wait their turn in the village instead of as messages in queues, where they would expire
/// (the per-resident reminders of earlier builds lost 817,178 ticks that way at 2.3M: docs/reminders.md).
/// </summary>
public sealed class DayCloseThrottle(IOptions<DeadlineOptions> options)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.DayCloseInFlightPerSilo));

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct = default)
    {
        await _slots.WaitAsync(ct);
        return new Slot(_slots);
    }

    /// <summary>Slots free now (for metrics and tests).</summary>
    public int Free => _slots.CurrentCount;

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
