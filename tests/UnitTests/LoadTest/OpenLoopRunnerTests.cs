using Microsoft.Extensions.Time.Testing;
using Sanmenxia.LoadTest;

namespace Sanmenxia.UnitTests.LoadTest;

/// <summary>
/// The open-loop runner on a fake clock: it sends at the intended times and measures latency from them, so a request
/// the sender could only send late is charged its wait (no coordinated omission). The test moves the clock only when
/// the runner waits for its next send (it has created its timer; polling with a deadline, never sleeping).
/// </summary>
public sealed class OpenLoopRunnerTests
{
    private sealed class Clock() : FakeTimeProvider(DateTimeOffset.Parse("2020-02-01T08:00:00Z"))
    {
        private int _timers;
        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }

    [Fact]
    public async Task Latency_is_measured_from_the_intended_send_time_not_from_the_late_send()
    {
        var clock = new Clock();
        var recorder = new PhaseRecorder("clockin", "test", 2);
        var answered = 0;
        var run = OpenLoopRunner.RunAsync(recorder, count: 2, rate: 10, maxInFlight: 16, TimeSpan.FromHours(1), (_, _) =>
        {
            Interlocked.Increment(ref answered);
            return Task.FromResult<(Outcome, string?)>((Outcome.Ok, null)); // answers at once on the fake clock
        }, time: clock);

        await Until(() => Volatile.Read(ref answered) == 1 && clock.Timers == 1); // #0 answered at t = 0; the sender waits for #1
        clock.Advance(TimeSpan.FromMilliseconds(130));        // #1 was due at 100 ms: the sender wakes 30 ms late
        var report = await run.WaitAsync(TimeSpan.FromSeconds(30));

        var result = recorder.Result();
        Assert.Equal(2, result.Ok);
        Assert.Equal(30.0, result.MaxMs, 1);           // charged from 100 ms, although sent and answered at 130 ms
        Assert.Equal(30.0, report.MaxSendLagMs, 1);
        Assert.Equal(1, report.Late);
        Assert.Equal(0, report.Dropped);
        Assert.False(result.Truncated);
        Assert.Same(report, result.Extra["openLoop"]);
    }

    [Fact]
    public async Task Requests_due_while_the_cap_is_outstanding_are_dropped_and_the_rest_still_sent_on_schedule()
    {
        var clock = new Clock();
        var recorder = new PhaseRecorder("code", "test", 4);
        var hold = new TaskCompletionSource<(Outcome, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var run = OpenLoopRunner.RunAsync(recorder, count: 4, rate: 100, maxInFlight: 1, TimeSpan.FromHours(1), (i, _) =>
        {
            Interlocked.Increment(ref started);
            return i == 0 ? hold.Task : Task.FromResult<(Outcome, string?)>((Outcome.Ok, null));
        }, time: clock);

        await Until(() => Volatile.Read(ref started) == 1 && clock.Timers == 1);
        clock.Advance(TimeSpan.FromMilliseconds(25)); // #1 (10 ms) and #2 (20 ms) fall due while #0 is outstanding
        await Until(() => clock.Timers == 2);          // the sender has handled them and waits for #3 (30 ms)
        Assert.Equal(1, Volatile.Read(ref started));
        hold.SetResult((Outcome.Ok, null));
        await Until(() => recorder.Completed == 1);
        clock.Advance(TimeSpan.FromMilliseconds(10)); // #3 due at 30 ms
        var report = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, report.Sent);
        Assert.Equal(2, report.Dropped);
        Assert.False(report.KeptUp);
        Assert.Equal(2, recorder.Result().Ok);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Yield();
        }
    }
}
