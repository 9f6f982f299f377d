using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Time;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

/// <summary>Hotline operators record calls; staff read a ticket and, for a call back, its clear number (audited).</summary>
public static partial class TicketEndpoints
{
    private static async Task<IResult> RecordCall(CallRequest body, ClaimsPrincipal user, IGrainFactory grains, RegionCatalog regions, PseudonymousKeys keys,
        DomainCalendar calendar, AuditTrail audit)
    {
        var errors = new FieldErrors();
        var source = ParseEnum<TicketSource>(errors, "source", body.Source, required: false) ?? TicketSource.HotlineCall;
        var kind = ParseEnum<TicketKind>(errors, "kind", body.Kind, required: true);
        var category = ParseEnum<LeadCategory>(errors, "category", body.Category, required: kind == TicketKind.Report);
        var location = await LocationAsync(errors, body.RegionCode, body.Address, body.Latitude, body.Longitude, regions);
        errors.Require("description", body.Description, MaxDescription);
        var (contact, phone) = ContactOf(errors, body.Phone, body.Name, body.Callback, keys);
        if (errors.Any) return Refusals.Fields(errors);

        var caller = Caller.From(user);
        var number = await grains.GetGrain<ITicketNumberGrain>(TicketNumbers.DayKey(calendar.Today)).NextAsync();
        if (contact is not null) await audit.RecordAsync(user, "ticket.create", number, location!.Region.Value, $"caller={contact.PhoneKey}");
        var ticket = await grains.GetGrain<ITicketGrain>(number).CreateAsync(new NewTicket(source, kind!.Value, category, location!,
            body.Description!.Trim(), contact, phone, new TicketActor(caller.Subject, caller.Role)));
        return Results.Created($"/api/tickets/{ticket.Number}",
            new TicketReceipt(ticket.Number, ticket.State.ToString(), ticket.ReceivedAt, ticket.DueAt, $"/api/tickets/public/{ticket.Number}"));
    }

    private static async Task<IResult> Get(string number, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit)
    {
        var (ticket, refusal) = await ReadableAsync(number, user, grains);
        if (refusal is not null) return refusal;
        await audit.RecordAsync(user, "ticket.read", ticket!.Number, ticket.Location.Region.Value, ContactDetail(ticket));
        return Results.Ok(TicketDto.From(ticket));
    }

    private static async Task<IResult> Contact(string number, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit)
    {
        var (ticket, refusal) = await ReadableAsync(number, user, grains);
        if (refusal is not null) return refusal;
        if (ticket!.Contact is not { CallbackRequested: true })
            return Refusals.NotFound($"The caller of {number} did not ask to be called back; no number is kept.");
        await audit.RecordAsync(user, "ticket.contact.read", ticket.Number, ticket.Location.Region.Value, ContactDetail(ticket));
        var phone = await grains.GetGrain<ITicketGrain>(number).GetCallbackPhoneAsync();
        return phone is null ? Refusals.NotFound($"No call-back number is kept for {number}.")
            : Results.Ok(new { number = ticket.Number, phone, name = ticket.Contact.Name });
    }
}
