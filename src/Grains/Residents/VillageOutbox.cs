using Microsoft.Extensions.Logging;
using Sanmenxia.Platform.Options;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Residents;

/// <summary>
/// A resident's outbox to its village (docs/operations.md, "Retries, deadlines and the outbox"). What is pending is part of
/// the resident's stored state: a <see cref="ResidentState.SummaryVersion"/> above <see cref="ResidentState.ReportedVersion"/>
/// and the <see cref="ResidentState.VillagesToLeave"/>, written in the same write as the change they report. After the
/// write the resident waits at most <see cref="RequestOptions.VillageReportWait"/> for the village: its answer depends
/// only on its own write. What is not acknowledged by then stays pending and is delivered at least once: a grain timer
/// re-sends it while the resident is in memory, and a reminder (<see cref="ReminderName"/>) is registered so a crash
/// cannot strand it; a new activation with something pending re-sends it too. The village ignores versions it has seen
/// (<see cref="IVillageGrain.ReportAsync"/>), so repeats are harmless and nothing is counted twice.
/// </summary>
internal sealed class VillageOutbox(Grain grain, IGrainFactory grains, ILogger logger, RequestOptions options,
    Func<ResidentState> state, Func<ResidentSummary> summary)
{
    public const string ReminderName = "village-outbox";
    private Task? _delivering;
    private bool _again;
    private IGrainTimer? _retry;
    private bool _reminderRegistered;
    private bool _closed;

    /// <summary>True while the stored state holds a report the village has not acknowledged.</summary>
    public bool IsPending
    {
        get
        {
            var s = state();
            return s.VillagesToLeave.Count > 0 || (s.SummaryVersion > s.ReportedVersion && !string.IsNullOrEmpty(s.VillageCode));
        }
    }

    /// <summary>
    /// After a write: delivers what is pending, waiting at most the configured bound. Not delivered by then (the village
    /// is slow, hung or failing): the retry timer runs, and the reminder is registered (within the same bound) so the
    /// report survives this silo. Never throws: the write it reports is stored, and that is the caller's answer.
    /// </summary>
    public async Task AfterWriteAsync()
    {
        if (!IsPending) return;
        if (await WithinBoundAsync(DeliverAsync()) && !IsPending) return;
        ArmRetry(options.VillageReportRetry);
        await WithinBoundAsync(EnsureReminderAsync());
    }

    /// <summary>A new activation with a pending report (a crash, or a deactivation before the acknowledgement) re-sends it soon.</summary>
    public void OnActivate(bool reminderMayExist)
    {
        _reminderRegistered = reminderMayExist;
        // Not at once: a request that activated the resident usually reports a newer version within the moment.
        if (IsPending) ArmRetry(TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// The activation is ending (from OnDeactivateAsync): a delivery still under way goes on after it (it is not a request,
    /// so the deactivation does not wait for it), but from now on the outbox leaves the activation's timer and reminders
    /// alone, because the activation's services are disposed once it is gone. What is still pending is taken over by a
    /// new activation or the outbox reminder; a reminder left registered ticks once, finds nothing pending and goes.
    /// </summary>
    public void Close()
    {
        _closed = true;
        _retry?.Dispose();
        _retry = null;
    }

    /// <summary>The reminder's tick: deliver, and forget the reminder once nothing is pending.</summary>
    public async Task OnReminderAsync()
    {
        _reminderRegistered = true;
        await DeliverAsync();
        if (!IsPending) await ForgetReminderAsync();
    }

    /// <summary>Sends what is pending; one delivery at a time (a change during one is sent right after it). Never throws.</summary>
    public Task DeliverAsync()
    {
        if (_delivering is { IsCompleted: false })
        {
            _again = true;
            return _delivering;
        }
        return _delivering = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            do
            {
                _again = false;
                await SendOnceAsync();
            } while (_again && IsPending);
            if (!IsPending && !_closed)
            {
                _retry?.Dispose();
                _retry = null;
                if (_reminderRegistered) await ForgetReminderAsync();
            }
        }
        catch (Exception e)
        {
            var s = state();
            logger.LogWarning("Village {Village} did not take resident {Resident}'s summary v{Version}: {Error}; it stays pending and is retried",
                s.VillageCode, grain.GetGrainId(), s.SummaryVersion, e.GetType().Name);
            ArmRetry(options.VillageReportRetry);
        }
    }

    private async Task SendOnceAsync()
    {
        var s = state();
        foreach (var left in s.VillagesToLeave.ToList())
        {
            // Removed at a version newer than any the old village saw (the resident's version moved on when it left).
            if (left != s.VillageCode)
                await grains.GetGrain<IVillageGrain>(left).ReportAsync(ResidentViews.Removal(grain.GetPrimaryKeyString(), s.SummaryVersion));
            s.VillagesToLeave.Remove(left);
        }
        if (s.SummaryVersion <= s.ReportedVersion || string.IsNullOrEmpty(s.VillageCode)) return;
        var version = s.SummaryVersion;
        await grains.GetGrain<IVillageGrain>(s.VillageCode).ReportAsync(summary());
        if (version > s.ReportedVersion) s.ReportedVersion = version;
    }

    private void ArmRetry(TimeSpan due)
    {
        if (_closed) return; // the activation is gone: its timer would never tick
        _retry ??= grain.RegisterGrainTimer(static (outbox, _) => outbox.IsPending ? outbox.DeliverAsync() : outbox.StopRetry(), this,
            // Interleaving: a retry waiting on a village that does not answer (up to the call timeout) must not hold the
            // resident's requests behind it (the delivery already tolerates requests between its awaits).
            new GrainTimerCreationOptions { DueTime = due, Period = options.VillageReportRetry, KeepAlive = true, Interleave = true });
    }

    private Task StopRetry()
    {
        _retry?.Dispose();
        _retry = null;
        return Task.CompletedTask;
    }

    private async Task EnsureReminderAsync()
    {
        if (_reminderRegistered) return;
        await grain.RegisterOrUpdateReminder(ReminderName, options.OutboxReminderPeriod, options.OutboxReminderPeriod);
        _reminderRegistered = true;
    }

    private async Task ForgetReminderAsync()
    {
        if (_closed) return;
        try
        {
            if (await grain.GetReminder(ReminderName) is { } reminder) await grain.UnregisterReminder(reminder);
            _reminderRegistered = false;
        }
        catch (ObjectDisposedException) when (_closed)
        {
            // Expected: the activation ended during the call and its services are disposed. The reminder ticks once more.
            logger.LogDebug("Resident {Resident}'s activation ended while it forgot its outbox reminder; the reminder's next tick does", grain.GetGrainId());
        }
        catch (Exception e)
        {
            // It ticks again and finds nothing pending: a minute's wasted tick, not a lost report.
            logger.LogInformation("Resident {Resident}'s outbox reminder stays registered for now: {Error}", grain.GetGrainId(), e.GetType().Name);
        }
    }

    /// <summary>Waits for <paramref name="work"/> at most the configured bound; true if it completed (successfully or not) by then.</summary>
    private async Task<bool> WithinBoundAsync(Task work)
    {
        try
        {
            await work.WaitAsync(options.VillageReportWait);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception e)
        {
            logger.LogInformation("Resident {Resident}'s outbox: {Error}; retried", grain.GetGrainId(), e.GetType().Name);
            return true;
        }
    }
}
