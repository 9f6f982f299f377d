using Microsoft.Extensions.Logging;
using Sanmenxia.Platform.Time;
using Sanmenxia.Tickets;

namespace Sanmenxia.Grains.Tickets;

[GenerateSerializer, Alias("sanmenxia.ResidentAppealsState")]
public sealed class ResidentAppealsState
{
    /// <summary>The numbers of the resident's appeal tickets, oldest first (a number whose creation failed has no ticket).</summary>
    [Id(0)] public List<string> Numbers { get; set; } = [];
}

/// <summary>
/// A resident's appeals (key: the resident's pseudonymous key). One activation per resident serialises the filings, so
/// "one appeal awaiting the village's answer" holds without a race. The number is stored here before the ticket is
/// created: a creation that failed leaves a number with no ticket, which the reads skip.
/// </summary>
public sealed class ResidentAppealsGrain(
    [PersistentState("resident-appeals", StorageNames.Default)] IPersistentState<ResidentAppealsState> state,
    DomainCalendar calendar,
    ILogger<ResidentAppealsGrain> logger) : Grain, IResidentAppealsGrain
{
    public async Task<AppealFiling> FileAsync(NewTicket appeal)
    {
        if (appeal.Source != TicketSource.ResidentAppeal || appeal.Kind != TicketKind.Appeal || appeal.ResidentKey != this.GetPrimaryKeyString())
            throw new ArgumentException("Not an appeal of this resident.", nameof(appeal));
        foreach (var existing in await TicketsAsync())
            if (TicketAppeals.AwaitsAnswer(existing)) return new AppealFiling(null, existing);

        var number = await GrainFactory.GetGrain<ITicketNumberGrain>(TicketNumbers.DayKey(calendar.Today)).NextAsync();
        state.State.Numbers.Add(number);
        await state.WriteOrForgetAsync(this);
        var ticket = await GrainFactory.GetGrain<ITicketGrain>(number).CreateAsync(appeal);
        logger.LogInformation("Appeal {Number} filed ({Reason}), dispatched to {Assignee}", number, appeal.AppealReason, ticket.Assignee);
        return new AppealFiling(ticket, null);
    }

    public async Task<IReadOnlyList<Ticket>> ListAsync() => (await TicketsAsync()).OrderByDescending(t => t.ReceivedAt).ThenByDescending(t => t.Number, StringComparer.Ordinal).ToList();

    public Task ForgetAsync() => state.ClearAndDeactivateAsync(this, () => new ResidentAppealsState());

    private async Task<List<Ticket>> TicketsAsync()
    {
        var tickets = await Task.WhenAll(state.State.Numbers.Select(n => GrainFactory.GetGrain<ITicketGrain>(n).GetAsync()));
        return tickets.OfType<Ticket>().ToList();
    }
}
