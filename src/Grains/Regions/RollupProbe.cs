using System.Collections.Concurrent;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// Test-only diagnostic of the roll-up wake-ups (<see cref="WakeTimer"/>): how often each grain armed its timer, how
/// often it woke, and whether it is armed now. Not registered in production, where the timers record nothing; a test
/// host registers it as a singleton to check that a grain with nothing to report stays idle.
/// </summary>
public sealed class RollupProbe
{
    private readonly ConcurrentDictionary<GrainId, Counts> _grains = new();

    /// <summary>Times armed (a re-arm to an earlier time counts again), times woken, and whether a wake-up is pending.</summary>
    public sealed record Counts(int Armed, int Woke, bool IsArmed);

    public Counts Of(GrainId grain) => _grains.GetValueOrDefault(grain, new Counts(0, 0, false));

    internal void Armed(GrainId grain) =>
        _grains.AddOrUpdate(grain, new Counts(1, 0, true), (_, c) => c with { Armed = c.Armed + 1, IsArmed = true });

    internal void Woke(GrainId grain) =>
        _grains.AddOrUpdate(grain, new Counts(0, 1, false), (_, c) => c with { Woke = c.Woke + 1, IsArmed = false });
}
