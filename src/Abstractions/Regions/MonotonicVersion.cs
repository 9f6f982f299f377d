namespace Sanmenxia.Regions;

/// <summary>
/// The version a node stamps on what it reports up the region tree (a village's or region's counts, a checkpoint's
/// totals, a region's dashboard update), so that a receiver keeping the newest version ignores retries and
/// reordered reports. Each <see cref="Next"/> is greater than the last one of this instance, and never below the
/// real-time clock's UTC ticks: a reactivation (on this silo or another) starts above every version its previous
/// activation stamped, as long as that one did not stamp faster than 10 million versions a second and the silos'
/// clocks agree to within the time between the two activations. Real time, not the domain clock: a fake or
/// simulated clock may stand still or jump back on restart, and versions must not.
/// </summary>
public sealed class MonotonicVersion(TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The last version stamped; 0 before the first.</summary>
    public long Current { get; private set; }

    /// <summary>A new version: one more than the last, or the current UTC ticks if greater.</summary>
    public long Next() => Current = Math.Max(Current + 1, _clock.GetUtcNow().UtcTicks);
}
