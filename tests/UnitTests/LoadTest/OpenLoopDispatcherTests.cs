using Sanmenxia.LoadTest;

namespace Sanmenxia.UnitTests.LoadTest;

/// <summary>The open-loop schedule and its send accounting, driven with explicit timestamps (no clock, no threads).</summary>
public sealed class OpenLoopDispatcherTests
{
    private const long Second = 1_000_000; // timestamps in microseconds for these tests
    private const long Ms = 1_000;

    [Fact]
    public void Request_i_is_due_at_start_plus_i_over_the_rate()
    {
        var schedule = new OpenLoopSchedule(Start: 5 * Second, Rate: 4_000, TicksPerSecond: Second);

        Assert.Equal(5 * Second, schedule.IntendedAt(0));
        Assert.Equal(5 * Second + 250, schedule.IntendedAt(1));
        Assert.Equal(5 * Second + 1_000_000, schedule.IntendedAt(4_000));
        Assert.Equal(5 * Second + 2_500_000_000, schedule.IntendedAt(10_000_000)); // no drift over a city's day
    }

    [Fact]
    public void Pump_sends_exactly_the_requests_due_by_now_and_returns_the_next_intended_time()
    {
        var sent = new List<(long Index, long Intended)>();
        var d = new OpenLoopDispatcher(new OpenLoopSchedule(0, 1_000, Second), count: 10, maxInFlight: 100, (i, at) => sent.Add((i, at)));

        Assert.Equal(1 * Ms, d.Pump(0));                     // #0 due at 0
        Assert.Equal(4 * Ms, d.Pump(3 * Ms + 999));          // #1..#3
        Assert.Equal([(0L, 0L), (1, 1 * Ms), (2, 2 * Ms), (3, 3 * Ms)], sent);
        Assert.Equal(4 * Ms, d.Pump(3 * Ms + 999));          // nothing new
        Assert.Null(d.Pump(60 * Second));                     // the rest, then done
        Assert.Equal(10, sent.Count);
        Assert.True(d.Done);
    }

    [Fact]
    public void A_send_more_than_10_ms_after_its_intended_time_is_late_and_its_lag_is_kept()
    {
        var d = new OpenLoopDispatcher(new OpenLoopSchedule(0, 10, Second), count: 3, maxInFlight: 100, (_, _) => { });

        d.Pump(0);                   // #0 on time
        d.Pump(100 * Ms + 10 * Ms);  // #1 (due 100 ms) 10 ms late: not over the threshold
        d.Pump(200 * Ms + 35 * Ms);  // #2 (due 200 ms) 35 ms late

        Assert.Equal(3, d.Sent);
        Assert.Equal(1, d.Late);
        Assert.Equal(35 * Ms, d.MaxLagTicks);
        Assert.Equal(45 * Ms, d.TotalLagTicks);
    }

    [Fact]
    public void A_request_due_at_the_in_flight_cap_is_dropped_and_counted_not_sent_late()
    {
        var sent = new List<long>();
        var d = new OpenLoopDispatcher(new OpenLoopSchedule(0, 1_000, Second), count: 5, maxInFlight: 2, (i, _) => sent.Add(i));

        d.Pump(2 * Ms); // #0 #1 sent, #2 dropped: two outstanding
        Assert.Equal([0L, 1], sent);
        Assert.Equal(1, d.Dropped);
        Assert.Equal(2, d.InFlight);

        d.Completed(); // one answer frees a slot
        d.Pump(4 * Ms); // #3 sent, #4 dropped again
        Assert.Equal([0L, 1, 3], sent);
        Assert.Equal(2, d.Dropped);
        Assert.Equal(2, d.MaxInFlightSeen);
        Assert.True(d.Done);

        var report = OpenLoopReport.From(d, 2, backlogAtEnd: d.InFlight, completed: 1, scheduleSeconds: 0.005, totalSeconds: 0.006);
        Assert.False(report.KeptUp);
        Assert.Equal(2, report.Dropped);
        Assert.Equal(3, report.Sent);
    }

    [Fact]
    public void A_phase_that_sent_everything_on_time_and_was_answered_at_the_rate_kept_up()
    {
        var d = new OpenLoopDispatcher(new OpenLoopSchedule(0, 1_000, Second), count: 1_000, maxInFlight: 10, (_, _) => { });
        for (var t = 0L; !d.Done; t += Ms)
        {
            d.Pump(t);
            while (d.InFlight > 0) d.Completed();
        }

        var report = OpenLoopReport.From(d, 10, backlogAtEnd: 0, completed: 1_000, scheduleSeconds: 0.999, totalSeconds: 1.002);

        Assert.True(report.KeptUp);
        Assert.Equal(0, report.LateShare);
        Assert.Equal(998.0, report.AchievedRate);
        Assert.Equal(0.0, report.MaxSendLagMs);
    }
}
