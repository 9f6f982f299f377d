using Microsoft.Extensions.DependencyInjection;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// A grain's one-shot wake-up for roll-up work: armed only when there is something to do (counts to push, a dashboard
/// update to publish, a history row or summaries to write, a failed call to retry), idle otherwise, so a village in
/// which nothing happens costs no timer ticks (a 250 ms periodic timer per village was about 10,800 ticks a second
/// for the city, some 10 % of a silo's CPU). Arming when already armed keeps the earlier due time, so a steady stream
/// of changes never postpones the wake-up: a change waits at most the delay it was armed with. The callback runs as a
/// non-interleaved grain turn (the timer does not keep the activation alive) and re-arms for whatever is still
/// pending when it ends; an Orleans timer changed during its own tick applies the change once the tick completes.
/// </summary>
public sealed class WakeTimer
{
    private const long Idle = long.MaxValue;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);
    private readonly IGrainTimer _timer;
    private readonly Func<Task> _wake;
    private readonly RollupProbe? _probe;
    private readonly GrainId _grain;
    private long _dueAtMs = Idle; // real time (Environment.TickCount64): a fake or simulated domain clock must not hold it up

    private WakeTimer(IGrainBase grain, Func<Task> wake)
    {
        _wake = wake;
        _grain = grain.GrainContext.GrainId;
        _probe = grain.GrainContext.ActivationServices.GetService<RollupProbe>();
        _timer = grain.RegisterGrainTimer(static (self, _) => self.FireAsync(), this,
            new GrainTimerCreationOptions { DueTime = Timeout.InfiniteTimeSpan, Period = Timeout.InfiniteTimeSpan });
    }

    /// <summary>Registers the grain's (idle) timer; call from the grain's activation, on its scheduler.</summary>
    public static WakeTimer Register(IGrainBase grain, Func<Task> wake) => new(grain, wake);

    public bool IsArmed => _dueAtMs != Idle;

    /// <summary>Wakes the grain after <paramref name="delay"/>, unless it is already due to wake up sooner.</summary>
    public void Arm(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        if (delay > MaxDelay) delay = MaxDelay; // woken early, the grain finds nothing due and arms again
        var dueAt = Environment.TickCount64 + (long)delay.TotalMilliseconds;
        if (dueAt >= _dueAtMs) return; // also while a fired tick waits for its turn: that tick sees this change
        _dueAtMs = dueAt;
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
        _probe?.Armed(_grain);
    }

    private Task FireAsync()
    {
        _dueAtMs = Idle; // from here on, a change arms the next wake-up (applied after this tick)
        _probe?.Woke(_grain);
        return _wake();
    }
}
