namespace Sanmenxia.LoadTest;

/// <summary>Intended send times of an open-loop phase: request i is due at <c>start + i / rate</c> (timestamp ticks).</summary>
public readonly record struct OpenLoopSchedule(long Start, double Rate, long TicksPerSecond)
{
    public long IntendedAt(long index) => Start + (long)(index * (double)TicksPerSecond / Rate);
}

/// <summary>
/// The open-loop dispatcher, without clocks or threads of its own: <see cref="Pump"/> is given the time and sends every
/// request due by then. A request due while <c>maxInFlight</c> are outstanding is not sent at all and counted as
/// dropped (sending it later would hide the wait: coordinated omission); a request sent more than
/// <see cref="LateThreshold"/> after its intended time is counted as late. Latency is measured by the caller from the
/// intended time it is handed.
/// </summary>
public sealed class OpenLoopDispatcher(OpenLoopSchedule schedule, long count, int maxInFlight, Action<long, long> send)
{
    public static readonly TimeSpan LateThreshold = TimeSpan.FromMilliseconds(10);
    private readonly long _lateTicks = (long)(LateThreshold.TotalSeconds * schedule.TicksPerSecond);
    private long _next;
    private int _inFlight;

    public OpenLoopSchedule Schedule => schedule;
    public long Count => count;
    public long Scheduled => _next;
    public long Sent { get; private set; }
    public long Dropped { get; private set; }
    public long Late { get; private set; }
    public long MaxLagTicks { get; private set; }
    public long TotalLagTicks { get; private set; }
    public int MaxInFlightSeen { get; private set; }
    public int InFlight => Volatile.Read(ref _inFlight);
    public bool Done => _next >= count;

    /// <summary>
    /// Sends (through the callback: index, intended timestamp) every request whose intended time is at or before
    /// <paramref name="now"/>; returns the intended time of the next one, or null when every request is scheduled.
    /// Called from one thread at a time.
    /// </summary>
    public long? Pump(long now)
    {
        while (_next < count)
        {
            var intended = schedule.IntendedAt(_next);
            if (intended > now) return intended;
            var inFlight = Interlocked.Increment(ref _inFlight);
            if (inFlight > maxInFlight)
            {
                Interlocked.Decrement(ref _inFlight);
                Dropped++;
            }
            else
            {
                var lag = now - intended;
                Sent++;
                TotalLagTicks += lag;
                if (lag > MaxLagTicks) MaxLagTicks = lag;
                if (lag > _lateTicks) Late++;
                if (inFlight > MaxInFlightSeen) MaxInFlightSeen = inFlight;
                send(_next, intended);
            }
            _next++;
        }
        return null;
    }

    /// <summary>A sent request has its answer (or failed): it no longer counts against the cap.</summary>
    public void Completed() => Interlocked.Decrement(ref _inFlight);
}

/// <summary>What an open-loop phase reports next to its latencies (Extra["openLoop"] of the result).</summary>
public sealed record OpenLoopReport(
    double TargetRate, int MaxInFlight, long Planned, long Scheduled, long Sent, long Dropped, long Late, double LateShare,
    double MeanSendLagMs, double MaxSendLagMs, int MaxInFlightSeen, int BacklogAtEnd, double ScheduleSeconds,
    double OfferedRate, double AchievedRate, double DrainSeconds, bool KeptUp)
{
    /// <summary>
    /// Kept up: nothing dropped, at most 1 % of sends more than 10 ms late, and answers completed at ≥ 95 % of the
    /// target rate (over the time from the first intended send to the last answer).
    /// </summary>
    public static OpenLoopReport From(OpenLoopDispatcher d, int maxInFlight, int backlogAtEnd, long completed, double scheduleSeconds, double totalSeconds)
    {
        var ticks = (double)d.Schedule.TicksPerSecond;
        var lateShare = d.Sent == 0 ? 0 : (double)d.Late / d.Sent;
        var achieved = totalSeconds > 0 ? completed / totalSeconds : 0;
        var offered = scheduleSeconds > 0 ? d.Sent / scheduleSeconds : 0;
        var keptUp = d.Dropped == 0 && lateShare <= 0.01 && d.Scheduled == d.Count && achieved >= 0.95 * d.Schedule.Rate;
        return new OpenLoopReport(d.Schedule.Rate, maxInFlight, d.Count, d.Scheduled, d.Sent, d.Dropped, d.Late, Math.Round(lateShare, 4),
            d.Sent == 0 ? 0 : Math.Round(d.TotalLagTicks / ticks * 1000 / d.Sent, 3), Math.Round(d.MaxLagTicks / ticks * 1000, 2),
            d.MaxInFlightSeen, backlogAtEnd, Math.Round(scheduleSeconds, 2), Math.Round(offered, 1), Math.Round(achieved, 1),
            Math.Round(Math.Max(0, totalSeconds - scheduleSeconds), 2), keptUp);
    }
}

/// <summary>
/// Runs a phase open-loop: requests at fixed intended times (<see cref="OpenLoopSchedule"/>), each measured from its
/// intended send time, at most <c>maxInFlight</c> outstanding. Stops scheduling at the deadline; answers still
/// outstanding then get <see cref="DrainGrace"/> more before they are cancelled.
/// </summary>
public static class OpenLoopRunner
{
    public static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(30);

    public static async Task<OpenLoopReport> RunAsync(PhaseRecorder recorder, int count, double rate, int maxInFlight, TimeSpan deadline,
        Func<int, CancellationToken, Task<(Outcome Outcome, string? Kind)>> operation, Action? onEach = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        using var cancel = new CancellationTokenSource();
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var schedulingDone = 0;
        long completed = 0, lastAnswer = 0;
        recorder.MarkStarted();
        var start = time.GetTimestamp();
        OpenLoopDispatcher dispatcher = null!;
        dispatcher = new OpenLoopDispatcher(new OpenLoopSchedule(start, rate, time.TimestampFrequency), count, maxInFlight,
            (i, intended) => _ = ExecuteAsync((int)i, intended));

        async Task ExecuteAsync(int i, long intended)
        {
            await Task.Yield(); // off the dispatcher: it only schedules
            (Outcome, string?) result;
            try { result = await operation(i, cancel.Token); }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { result = (Outcome.Error, "cancelled after the deadline"); }
            catch (Exception e) { result = (Outcome.Error, BoundedRunner.ErrorKind(e)); }
            var now = time.GetTimestamp();
            recorder.RecordLatency(time.GetElapsedTime(intended, now), result.Item1, result.Item2);
            Interlocked.Increment(ref completed);
            InterlockedMax(ref lastAnswer, now);
            dispatcher.Completed();
            onEach?.Invoke();
            if (Volatile.Read(ref schedulingDone) == 1 && dispatcher.InFlight == 0) drained.TrySetResult();
        }

        var deadlineAt = start + (long)(deadline.TotalSeconds * time.TimestampFrequency);
        var minWait = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var now = time.GetTimestamp();
            if (now >= deadlineAt) break;
            if (dispatcher.Pump(Math.Min(now, deadlineAt)) is not { } next) break;
            var wait = time.GetElapsedTime(now, Math.Min(next, deadlineAt));
            await Task.Delay(wait < minWait ? minWait : wait, time);
        }
        var scheduleEnd = time.GetTimestamp();
        var backlog = dispatcher.InFlight;
        Volatile.Write(ref schedulingDone, 1);
        if (dispatcher.InFlight == 0) drained.TrySetResult();
        using (var grace = new CancellationTokenSource(DrainGrace, time))
        {
            try { await drained.Task.WaitAsync(grace.Token); }
            catch (OperationCanceledException)
            {
                await cancel.CancelAsync();
                try { await drained.Task.WaitAsync(TimeSpan.FromSeconds(5), time); } catch (TimeoutException) { }
            }
        }
        recorder.Stop();
        // Cut by the deadline (not every request scheduled, or answers cancelled); requests dropped at the cap are counted apart.
        if (!dispatcher.Done || recorder.Completed < dispatcher.Sent) recorder.Truncated = true;
        var end = Math.Max(Interlocked.Read(ref lastAnswer), scheduleEnd);
        var report = OpenLoopReport.From(dispatcher, maxInFlight, backlog, Interlocked.Read(ref completed),
            time.GetElapsedTime(start, scheduleEnd).TotalSeconds, time.GetElapsedTime(start, end).TotalSeconds);
        recorder.Extra["openLoop"] = report;
        recorder.Extra["lateOrDropped"] = report.Late + report.Dropped;
        return report;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }
}
