using Microsoft.Extensions.Logging;
using Sanmenxia.Platform.Time;
using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Villages;

/// <summary>
/// A village's day close (docs/reminders.md): after the village's day roll, asks each resident the day close must wake
/// (<see cref="ResidentDayClose.IsDue"/>) to close its days, a few at a time and within the silo's
/// <see cref="DayCloseThrottle"/>, so the city's close is paced by what the silo can do rather than by the clock.
/// It runs on an interleaving grain timer: while it waits for residents, the village goes on taking their reports
/// (each closed resident reports its new summary to this village). Residents whose close failed (a silo lost, a
/// timeout) are asked again a minute later, a few times; what is still open after that is due again at the next day
/// roll, and meanwhile every view projects the code from dates.
/// </summary>
internal sealed class DaySettler
{
    /// <summary>Residents of one village in flight at once: the silo's throttle is the real bound; this keeps one village from taking all of it.</summary>
    private const int PerVillage = 8;
    private const int MaxAttempts = 5;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    private readonly IGrainFactory _grains;
    private readonly DayCloseThrottle _throttle;
    private readonly ILogger _logger;
    private readonly string _village;
    private readonly IGrainTimer _timer;
    private Queue<string> _queue = new();
    private DateOnly _day;
    private int _attempt;
    private int _closedCount;
    private List<string> _failed = [];
    private bool _running;

    private readonly Action<DateOnly> _closed;

    private DaySettler(IGrainBase grain, IGrainFactory grains, DayCloseThrottle throttle, ILogger logger, string village, Action<DateOnly> closed)
    {
        (_grains, _throttle, _logger, _village, _closed) = (grains, throttle, logger, village, closed);
        _timer = grain.RegisterGrainTimer(static (self, _) => self.RunAsync(), this, new GrainTimerCreationOptions
        {
            DueTime = Timeout.InfiniteTimeSpan,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = true, // the residents it closes report to this village while it waits
            KeepAlive = true,
        });
    }

    /// <summary>
    /// Registers the village's (idle) settler; call from the grain's activation, on its scheduler. <paramref name="closed"/>
    /// is told each day whose close is over (every resident closed, or the retries spent), on the grain's scheduler.
    /// </summary>
    public static DaySettler Register(IGrainBase grain, IGrainFactory grains, DayCloseThrottle throttle, ILogger logger, string village,
        Action<DateOnly> closed) => new(grain, grains, throttle, logger, village, closed);

    /// <summary>The day being closed, or default before the first day roll of this activation.</summary>
    public DateOnly Day => _day;

    /// <summary>
    /// Starts closing <paramref name="day"/> for <paramref name="due"/>. A later call for the same day does nothing (the
    /// day roll's reminder and a wake-up may both ask); a new day replaces what is still queued, since the new list is
    /// computed from the same summaries and contains whoever the old one had left.
    /// </summary>
    public void Start(DateOnly day, IReadOnlyCollection<string> due)
    {
        if (day == _day) return;
        (_day, _attempt, _closedCount) = (day, 0, 0);
        _failed = [];
        _queue = new(due); // a running close takes it up where it is
        if (_queue.Count == 0 && !_running) _closed(day);
        else if (!_running) _timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private async Task RunAsync()
    {
        _running = true;
        try
        {
            var inFlight = new List<Task>(PerVillage);
            while (_queue.Count > 0 || inFlight.Count > 0)
            {
                while (inFlight.Count < PerVillage && _queue.TryDequeue(out var key)) inFlight.Add(CloseAsync(key));
                inFlight.Remove(await Task.WhenAny(inFlight));
            }
        }
        finally
        {
            _running = false;
        }
        if (_failed.Count > 0 && ++_attempt < MaxAttempts)
        {
            _logger.LogWarning("Village {Village} could not close day {Day} for {Failed} residents yet (attempt {Attempt}); retrying in {Retry}",
                _village, _day, _failed.Count, _attempt, RetryAfter);
            (_queue, _failed) = (new(_failed), []);
            _timer.Change(RetryAfter, Timeout.InfiniteTimeSpan);
            return;
        }
        _logger.LogInformation("Village {Village} closed day {Day}: {Closed} residents closed, {Failed} left to the next day roll",
            _village, _day, _closedCount, _failed.Count);
        _closed(_day);
    }

    private async Task CloseAsync(string residentKey)
    {
        try
        {
            using (await _throttle.EnterAsync())
                await _grains.GetGrain<IResidentGrain>(residentKey).CloseDayAsync();
            _closedCount++;
        }
        catch (Exception e)
        {
            _failed.Add(residentKey);
            _logger.LogDebug("Village {Village}: closing the day of resident {Resident} failed: {Error}", _village, residentKey, e.GetType().Name);
        }
    }
}
