using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Tickets;

namespace Sanmenxia.Grains.Tickets;

[GenerateSerializer, Alias("sanmenxia.TicketGrainState")]
public sealed class TicketGrainState
{
    /// <summary>The ticket's whole life; null until created.</summary>
    [Id(0)] public Ticket? Ticket { get; set; }
    /// <summary>The clear number, only when the caller asked to be called back (read through an audited API call).</summary>
    [Id(1)] public string? CallbackPhone { get; set; }
    /// <summary>The deadline (domain time) the registered reminder is for; null when none is registered.</summary>
    [Id(2)] public DateTimeOffset? ReminderFor { get; set; }
}

/// <summary>
/// One 12345 ticket. Every call first brings the deadlines up to date from the dates (TicketDeadlines), so a deadline
/// that passed while the cluster was down is acted on at the next activation or read, with the steps dated when they
/// became due. One reminder wakes the grain at its next deadline (registered or moved on every change, unregistered
/// once closed). Each change is written to the grain state (the record), then to the tickets read model and to the
/// roll-up's tally (retried on a timer if either fails; the row's and the summary's version make the retry harmless).
/// Activation writes both again, as residents re-report to their village.
/// </summary>
public sealed class TicketGrain(
    [PersistentState("ticket", StorageNames.Default)] IPersistentState<TicketGrainState> state,
    ITicketStore store,
    IOptions<TicketOptions> options,
    IOptions<ReminderOptions> reminders,
    DomainCalendar calendar,
    TimeScale scale,
    ILogger<TicketGrain> logger) : Grain, ITicketGrain, IRemindable
{
    private const string DeadlineReminder = "ticket-deadline";
    private static readonly TimeSpan RowRetryInterval = TimeSpan.FromSeconds(2);
    private readonly TicketDeadlinePolicy _policy = options.Value.ToPolicy();
    private IGrainTimer? _rowRetry;

    private string Number => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        if (state.State.Ticket is not { } ticket) return;
        var now = calendar.Now;
        var current = TicketDeadlines.Apply(ticket, _policy, now);
        if (!ReferenceEquals(current, ticket)) await SaveAsync(current, now);
        else
        {
            // The row may have missed the last change (the store failed, the silo died in between): write it again.
            await ProjectAsync(current);
            await SyncReminderAsync(current, now, force: false);
        }
    }

    public async Task<Ticket> CreateAsync(NewTicket request)
    {
        if (state.State.Ticket is { } existing) return existing;
        if (!TicketNumbers.IsValid(Number)) throw new ArgumentException($"{Number} is not a ticket number.");
        var now = calendar.Now;
        var ticket = TicketDeadlines.Apply(TicketWorkflow.Receive(Number, request, now), _policy, now);
        state.State.CallbackPhone = request.Contact?.CallbackRequested == true ? request.CallbackPhone : null;
        await SaveAsync(ticket, now);
        return ticket;
    }

    public async Task<Ticket?> GetAsync()
    {
        if (state.State.Ticket is not { } ticket) return null;
        var now = calendar.Now;
        var current = TicketDeadlines.Apply(ticket, _policy, now);
        if (!ReferenceEquals(current, ticket)) await SaveAsync(current, now);
        return current;
    }

    public async Task<TicketActionResult> ApplyAsync(TicketCommand command, TicketActor actor)
    {
        if (state.State.Ticket is not { } ticket) return new TicketActionResult(null, new TicketRefusal("ticket.not-found", $"No ticket {Number}."));
        var now = calendar.Now;
        var current = TicketDeadlines.Apply(ticket, _policy, now);
        var decision = TicketWorkflow.Apply(current, command, actor, now);
        if (!decision.Accepted)
        {
            if (!ReferenceEquals(current, ticket)) await SaveAsync(current, now);
            return new TicketActionResult(current, decision.Refusal);
        }
        var changed = TicketDeadlines.Apply(decision.Ticket!, _policy, now);
        await SaveAsync(changed, now);
        logger.LogInformation("Ticket {Number}: {Action} by {Actor} → {State}", Number, command.Action, actor.Id, changed.State);
        return new TicketActionResult(changed, null);
    }

    public Task<string?> GetCallbackPhoneAsync() => Task.FromResult(state.State.CallbackPhone);

    public async Task<bool> ForgetAsync()
    {
        if (state.State.Ticket is { IsOpen: true }) return false;
        await UnregisterAsync();
        _rowRetry?.Dispose();
        _rowRetry = null;
        await state.ClearAndDeactivateAsync(this, () => new TicketGrainState());
        return true;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DeadlineReminder) return;
        if (state.State.Ticket is not { } ticket)
        {
            await UnregisterAsync();
            return;
        }
        var now = calendar.Now;
        var current = TicketDeadlines.Apply(ticket, _policy, now);
        if (!ReferenceEquals(current, ticket))
        {
            await SaveAsync(current, now);
            if (current.EscalationLevel > ticket.EscalationLevel)
                logger.LogInformation("Ticket {Number} is overdue: escalated to {Region}", Number, current.EscalatedTo);
        }
        // The tick may have come before the deadline (a capped first delay, a changed simulation speed): wake again for it.
        else await SyncReminderAsync(current, now, force: true);
    }

    // ------------------------------------------------------------------ writing

    /// <summary>Reminder first (a stray reminder only wakes the grain to find nothing due), then the state, then the row.</summary>
    private async Task SaveAsync(Ticket ticket, DateTimeOffset now)
    {
        await SyncReminderAsync(ticket, now, force: false, save: false);
        state.State.Ticket = ticket;
        await state.WriteOrForgetAsync(this);
        await ProjectAsync(ticket);
    }

    private async Task ProjectAsync(Ticket ticket)
    {
        try
        {
            await store.UpsertAsync(TicketRow.From(ticket));
            // The roll-up (docs/tickets.md "Roll-up"): the tally of the deepest region given keeps the newest version.
            await GrainFactory.GetGrain<ITicketTallyGrain>(ticket.Location.Region.Value).ReportAsync(TicketSummary.From(ticket, calendar.DayOf));
            _rowRetry?.Dispose();
            _rowRetry = null;
        }
        catch (Exception e) when (e is not StoreMissingException)
        {
            logger.LogWarning("Ticket {Number} could not write its queue row or report to the roll-up (retrying every {Interval}): {Error}", Number, RowRetryInterval, e.GetType().Name);
            _rowRetry ??= this.RegisterGrainTimer(static (grain, _) => grain.RetryRowAsync(), this,
                new GrainTimerCreationOptions { DueTime = RowRetryInterval, Period = RowRetryInterval });
        }
    }

    private Task RetryRowAsync() => state.State.Ticket is { } ticket ? ProjectAsync(ticket) : Task.CompletedTask;

    /// <summary>
    /// One reminder for the next deadline (or escalation step), none once nothing is due. The first tick comes at the
    /// deadline (real delay through the time scale), capped by Tickets:MaxReminderDelay; the period is only a safety net.
    /// </summary>
    private async Task SyncReminderAsync(Ticket ticket, DateTimeOffset now, bool force, bool save = true)
    {
        var next = TicketDeadlines.Evaluate(ticket, _policy, now).NextWake;
        if (!force && next == state.State.ReminderFor) return;
        if (next is { } wake)
        {
            var due = scale.ToRealDelay(wake - now);
            if (due < TimeSpan.FromSeconds(1)) due = TimeSpan.FromSeconds(1);
            if (options.Value.MaxReminderDelay is { } cap && due > cap) due = cap;
            var period = scale.ToRealDelay(options.Value.ReminderPeriod);
            if (period < reminders.Value.MinimumReminderPeriod) period = reminders.Value.MinimumReminderPeriod;
            await this.RegisterOrUpdateReminder(DeadlineReminder, due, period);
        }
        else await UnregisterAsync();
        if (state.State.ReminderFor == next) return;
        state.State.ReminderFor = next;
        if (save) await state.WriteOrForgetAsync(this);
    }

    private async Task UnregisterAsync()
    {
        var reminder = await this.GetReminder(DeadlineReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }
}
