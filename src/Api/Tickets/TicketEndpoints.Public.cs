using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Security;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

/// <summary>Anyone: file a lead, follow it by number (state and dates only), read the catalogue of categories and departments.</summary>
public static partial class TicketEndpoints
{
    /// <summary>
    /// Anyone files a lead; a signed-in resident's lead carries their pseudonymous key for follow-up (staff read the masked
    /// name and phone through the audited /resident call). Without a resident token it stays anonymous.
    /// </summary>
    private static async Task<IResult> FileLead(LeadRequest body, ClaimsPrincipal user, IGrainFactory grains, RegionCatalog regions, PseudonymousKeys keys, DomainCalendar calendar)
    {
        // The same path as Open311's POST requests (TicketEndpoints.LeadFiling.cs).
        var caller = Caller.From(user);
        var residentKey = caller.Role == Roles.Resident ? caller.ResidentKey : null;
        var receivedBy = residentKey is null ? TicketActor.Anonymous : new TicketActor("resident", "resident");
        var filed = await FileLeadAsync(body, TicketKind.Report, receivedBy, grains, regions, keys, calendar, residentKey);
        if (filed.Ticket is not { } ticket) return Refusals.Fields(filed.Errors);
        return Results.Created($"/api/tickets/public/{ticket.Number}",
            new TicketReceipt(ticket.Number, ticket.State.ToString(), ticket.ReceivedAt, ticket.DueAt, $"/api/tickets/public/{ticket.Number}"));
    }

    private static async Task<IResult> PublicStatus(string number, IGrainFactory grains)
    {
        var ticket = TicketNumbers.IsValid(number) ? await grains.GetGrain<ITicketGrain>(number).GetAsync() : null;
        if (ticket is null) return Refusals.NotFound($"No ticket {number}.");
        // State, kind, category and dates only: no caller, description, place, handler, result or notes.
        return Results.Ok(new PublicTicketStatus(ticket.Number, ticket.State.ToString(), ticket.Kind.ToString(), ticket.Category?.ToString(),
            ticket.ReceivedAt, ticket.UpdatedAt, ticket.ClosedAt,
            ticket.Steps.Where(s => s.Kind is not (TicketStepKind.Overdue or TicketStepKind.Escalated))
                .Select(s => new PublicTicketStep(s.Kind.ToString(), s.At)).ToList()));
    }

    private static IResult Catalogue(IOptions<TicketOptions> options) => Results.Ok(new TicketCatalogue(
        LeadCategories.All.Select(c => (object)new { code = c.ToString(), label = LeadCategories.Label(c) }).ToList(),
        Enum.GetNames<TicketKind>(), Enum.GetNames<TicketSource>(), options.Value.EffectiveDepartments));

    private static async Task<Ticket> CreateAsync(IGrainFactory grains, DomainCalendar calendar, NewTicket request)
    {
        var number = await grains.GetGrain<ITicketNumberGrain>(TicketNumbers.DayKey(calendar.Today)).NextAsync();
        return await grains.GetGrain<ITicketGrain>(number).CreateAsync(request);
    }
}
