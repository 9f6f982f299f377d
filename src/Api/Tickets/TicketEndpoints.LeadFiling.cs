using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Platform.Time;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

/// <summary>
/// Filing a public lead: the one path of POST /api/tickets/leads and of Open311's POST requests (same checks, same
/// region resolution, same ticket). A report carries one of the ten categories; the other kinds the public may file
/// through Open311 (consultation, verification, help, complaint) carry none.
/// </summary>
public static partial class TicketEndpoints
{
    /// <summary>The ticket filed (carrying the signed-in resident's key when given), or the field errors (named as on the lead route: category, regionCode, address, …).</summary>
    internal sealed record LeadFiling(Ticket? Ticket, FieldErrors Errors);

    internal static async Task<LeadFiling> FileLeadAsync(LeadRequest body, TicketKind kind, TicketActor receivedBy, IGrainFactory grains,
        RegionCatalog regions, PseudonymousKeys keys, DomainCalendar calendar, string? residentKey = null)
    {
        var errors = new FieldErrors();
        var category = kind == TicketKind.Report ? ParseEnum<LeadCategory>(errors, "category", body.Category, required: true) : null;
        var location = await LocationAsync(errors, body.RegionCode, body.Address, body.Latitude, body.Longitude, regions);
        errors.Require("description", body.Description, MaxDescription);
        var (contact, phone) = ContactOf(errors, body.Phone, body.Name, body.Callback, keys);
        if (errors.Any) return new LeadFiling(null, errors);

        var ticket = await CreateAsync(grains, calendar, new NewTicket(TicketSource.LeadReport, kind, category, location!,
            body.Description!.Trim(), contact, phone, receivedBy, ResidentKey: residentKey));
        return new LeadFiling(ticket, errors);
    }
}
