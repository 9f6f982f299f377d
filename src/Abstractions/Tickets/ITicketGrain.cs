namespace Sanmenxia.Tickets;

/// <summary>
/// One 12345 ticket (platform 6; platform 1's leads become tickets too). Key: the ticket number, 12345-YYYYMMDD-NNNNNN.
/// Holds the ticket's whole life; keeps one reminder for its next deadline; writes its row of the tickets read model on
/// every change. Every call first brings the deadlines up to date from the dates.
/// </summary>
[Alias("sanmenxia.ITicketGrain")]
public interface ITicketGrain : IGrainWithStringKey
{
    /// <summary>Creates the ticket; a second call with the same key returns the existing ticket unchanged.</summary>
    [Alias("Create")] Task<Ticket> CreateAsync(NewTicket ticket);
    /// <summary>The ticket, or null when no ticket has this number.</summary>
    [Alias("Get")] Task<Ticket?> GetAsync();
    [Alias("Apply")] Task<TicketActionResult> ApplyAsync(TicketCommand command, TicketActor actor);
    /// <summary>The clear phone number to call the caller back, when the caller asked for a call back (the API audits the read).</summary>
    [Alias("CallbackPhone")] Task<string?> GetCallbackPhoneAsync();
    /// <summary>Retention: a closed or rejected ticket clears its stored state and deactivates; false (nothing done) while it is open.</summary>
    [Alias("Forget")] Task<bool> ForgetAsync();
}
