using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Retention;

namespace Sanmenxia.Grains.Retention;

[GenerateSerializer, Alias("sanmenxia.RetentionState")]
public sealed class RetentionState
{
    [Id(0)] public RetentionReport? Last { get; set; }
    /// <summary>The domain day of the last reminder run: a repeated or late tick on the same day does nothing.</summary>
    [Id(1)] public DateOnly? LastReminderDay { get; set; }
    /// <summary>The real-time period the reminder was registered with (another simulation speed re-registers it).</summary>
    [Id(2)] public TimeSpan? ReminderPeriod { get; set; }
}

/// <summary>
/// The daily retention job (docs/data-governance.md): one grain for the city (key <see cref="IRetentionGrain.Key"/>),
/// woken by a reminder once a domain day after local midnight. Each run deletes what the policy (<see cref="RetentionOptions"/>)
/// says is due on the domain calendar's today, one bounded batch at a time with a pause between batches, through the
/// grains that own the data (so no activation serves what was deleted) and the stores; it keeps the anonymous
/// aggregates and writes its counts to the audit trail. Runs never overlap (the grain is not reentrant).
/// </summary>
public sealed partial class RetentionGrain(
    [PersistentState("retention", StorageNames.Default)] IPersistentState<RetentionState> state,
    DomainCalendar calendar,
    TimeScale scale,
    IOptions<RetentionOptions> options,
    IOptions<TripOptions> tripOptions,
    IPassStore passes,
    IRetentionStore store,
    IAuditLog audit,
    TimeProvider realClock,
    ILogger<RetentionGrain> logger) : Grain, IRetentionGrain, IRemindable
{
    public const string ReminderName = "retention-daily";
    public const string ReminderActor = "retention-job";
    private const int Parallelism = 16;

    private RetentionOptions Policy => options.Value;

    public async Task EnsureScheduledAsync()
    {
        var period = scale.ToRealDelay(TimeSpan.FromDays(1));
        if (state.State.ReminderPeriod == period && await this.GetReminder(ReminderName) is not null) return;
        var now = calendar.Now;
        var firstTick = calendar.EndOfDay(calendar.DayOf(now)) + Policy.RunAfterMidnight;
        await this.RegisterOrUpdateReminder(ReminderName, scale.ToRealDelay(firstTick - now), period);
        state.State.ReminderPeriod = period;
        await state.WriteOrForgetAsync(this);
    }

    /// <summary>
    /// The tick only starts the day's run (a one-way call to this grain, queued like any request) and answers at once:
    /// awaited here, the run outlived the tick's 3-s response timeout every night at the city, and Orleans logged the
    /// tick as failed although the run went on and finished (session 11).
    /// </summary>
    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == ReminderName && state.State.LastReminderDay != calendar.Today
            ? this.AsReference<IRetentionGrain>().RunDailyAsync()
            : Task.CompletedTask;

    public async Task RunDailyAsync()
    {
        var today = calendar.Today;
        if (state.State.LastReminderDay == today) return;
        state.State.LastReminderDay = today;
        await RunAsync(ReminderActor);
    }

    public Task<RetentionReport?> GetLastAsync() => Task.FromResult(state.State.Last);

    public async Task<RetentionReport> RunAsync(string actorId)
    {
        await EnsureScheduledAsync();
        var run = new Run(Policy, realClock);
        var today = calendar.Today;
        string? error = null;
        try
        {
            await DeletePassesAsync(run, today);
            await ForgetClosedTicketsAsync(run, today);
            await ForgetTripsAsync(run, today);
            await DeleteClearedRowsAsync(run);
        }
        catch (Exception e)
        {
            // What was deleted stays deleted and is reported; the next run continues where this one stopped.
            error = e.GetType().Name;
            logger.LogWarning("Retention run stopped early: {Error}", e.Message);
        }
        var report = new RetentionReport(today, run.StartedAt, realClock.GetUtcNow(), actorId == ReminderActor ? "reminder" : "admin", actorId,
            run.Counts, run.Batches, error);
        await audit.RecordAsync(new AuditEntry(report.FinishedAt, actorId, actorId == ReminderActor ? "system" : Sanmenxia.Security.Roles.Admin,
            "retention.run", null, null, $"{report.Describe()}; batches={report.Batches}" + (error is null ? "" : $"; error={error}")));
        state.State.Last = report;
        await state.WriteOrForgetAsync(this);
        logger.LogInformation("Retention run for {Day}: {Counts}", today, report.Describe());
        return report;
    }

    /// <summary>Checkpoint passes older than CheckpointPassDays (the checkpoint_daily aggregates stay).</summary>
    private async Task DeletePassesAsync(Run run, DateOnly today)
    {
        var cutoff = calendar.EndOfDay(today.AddDays(-Policy.CheckpointPassDays));
        while (true)
        {
            var deleted = await passes.DeleteOlderThanAsync(cutoff, Policy.BatchSize);
            await run.BatchDoneAsync(RetentionKinds.CheckpointPasses, deleted);
            if (deleted < Policy.BatchSize) break;
        }
    }

    /// <summary>Tickets closed or rejected more than ClosedTicketDays ago: each grain clears its state, then the rows go.</summary>
    private async Task ForgetClosedTicketsAsync(Run run, DateOnly today)
    {
        var cutoff = calendar.EndOfDay(today.AddDays(-Policy.ClosedTicketDays));
        while (true)
        {
            var due = await store.ClosedTicketsBeforeAsync(cutoff, Policy.BatchSize);
            if (due.Count == 0) break;
            var forgotten = await ForEachAsync(due, n => GrainFactory.GetGrain<Sanmenxia.Tickets.ITicketGrain>(n).ForgetAsync());
            var gone = due.Where((_, i) => forgotten[i]).ToList();
            await store.DeleteTicketRowsAsync(gone);
            await run.BatchDoneAsync(RetentionKinds.ClosedTickets, gone.Count);
            if (gone.Count == 0 || due.Count < Policy.BatchSize) break;
        }
    }

    /// <summary>Trips (published cases and watched travellers) whose watch ended TripDaysAfterWatch days ago.</summary>
    private async Task ForgetTripsAsync(Run run, DateOnly today)
    {
        var index = GrainFactory.GetGrain<Sanmenxia.Trips.ITripIndexGrain>(0);
        var due = (await index.ListAsync())
            .Where(t => ResidentRetention.TripDue(t, today, tripOptions.Value.WatchDays, Policy.TripDaysAfterWatch)).ToList();
        foreach (var batch in due.Chunk(Policy.BatchSize))
        {
            await ForEachAsync(batch, t => GrainFactory.GetGrain<Sanmenxia.Trips.ITripGrain>(t.Key).ForgetAsync());
            await index.RemoveAsync(batch);
            await run.BatchDoneAsync(RetentionKinds.Trips, batch.Length);
        }
    }

    /// <summary>Grain-state rows left without a payload by an erasure or a forget, once no activation can hold them.</summary>
    private async Task DeleteClearedRowsAsync(Run run)
    {
        var before = realClock.GetUtcNow() - Policy.ClearedStateRowsAfter;
        for (long? page = 0; page is { } from;)
        {
            var slice = await store.DeleteClearedGrainStateAsync(before, from, Policy.ClearedRowsPagesPerStatement);
            await run.BatchDoneAsync(RetentionKinds.ClearedStateRows, slice.Deleted);
            page = slice.NextPage;
        }
    }

    private static async Task<T[]> ForEachAsync<TItem, T>(IReadOnlyList<TItem> items, Func<TItem, Task<T>> call)
    {
        var results = new T[items.Count];
        for (var start = 0; start < items.Count; start += Parallelism)
        {
            var end = Math.Min(items.Count, start + Parallelism);
            var calls = Enumerable.Range(start, end - start).Select(async i => results[i] = await call(items[i]));
            await Task.WhenAll(calls);
        }
        return results;
    }
}
