using System.Security.Claims;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.KeyPersons;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

public sealed record TicketKeyPersonEntryDto(string Id, string Category, string Status, DateOnly ExposureDate, DateOnly ObservationEndsOn);

/// <summary>
/// The resident behind a ticket (an appeal's appellant, a signed-in reporter) as staff see them: masked name and phone,
/// the village, today's code and its reason, the key-person entries still open or pending (what an appeal is resolved by).
/// </summary>
public sealed record TicketResidentDto(string ResidentKey, string MaskedName, string? MaskedPhone, string VillageCode, string Colour, string ReasonCode,
    string Reason, bool Fever, IReadOnlyList<TicketKeyPersonEntryDto> KeyPersonEntries);

/// <summary>A lead about a person that the village confirms: the person's ID number (typed by staff), the entry, and the ticket's result.</summary>
public sealed record TicketKeyPersonRequest(string? IdNumber, string? Category, DateOnly? ExposureDate, string? Origin, string? Measure, string? Site,
    string? Problems, string? Result);

public sealed record TicketKeyPersonResponse(TicketDto Ticket, KeyPersonEntry Entry, string ResidentKey, string MaskedName);

/// <summary>Staff and the resident behind a ticket: the audited read, and a confirmed lead registered as a key-person entry in one step.</summary>
public static partial class TicketEndpoints
{
    private static async Task<IResult> ResidentOf(string number, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit)
    {
        var (ticket, refusal) = await ReadableAsync(number, user, grains);
        if (refusal is not null) return refusal;
        if (ticket!.ResidentKey is not { } key) return Refusals.NotFound($"Ticket {number} carries no resident (an anonymous report or a call).");
        var resident = grains.GetGrain<IResidentGrain>(key);
        var profile = await resident.GetProfileAsync();
        if (profile is null) return Refusals.NotFound($"The resident of ticket {number} has no record any more.");
        await audit.RecordAsync(user, "ticket.resident.read", key, ticket.Location.Region.Value, $"ticket={ticket.Number}");
        var code = await resident.GetCodeAsync();
        var entries = (await resident.GetKeyPersonEntriesAsync())
            .Where(e => e.Status is KeyPersonStatus.Open or KeyPersonStatus.Pending)
            .Select(e => new TicketKeyPersonEntryDto(e.Id, e.Category.ToString(), e.Status.ToString(), e.ExposureDate, e.ObservationEndsOn)).ToList();
        var x = code.Explanation;
        return Results.Ok(new TicketResidentDto(key, NameMasking.Mask(profile.Name), profile.MaskedPhone, profile.VillageCode, x.Colour.ToString(),
            x.ReasonCode, x.Reason, x.ReasonCode == ReasonCodes.BlockedFever, entries));
    }

    /// <summary>
    /// The village confirms a lead about a person (fever, back from Wuhan, a vehicle from Hubei): the person becomes a
    /// key-person entry through the register's own rules (KeyPersonEndpoints), and the ticket is handled with the result,
    /// in one call. The ticket is checked first (role, state), so a refused handling registers nothing; the entry is then
    /// registered, then the ticket handled. The category defaults to the lead category's mapping (LeadCategories).
    /// </summary>
    private static async Task<IResult> RegisterKeyPerson(string number, TicketKeyPersonRequest body, ClaimsPrincipal user, IGrainFactory grains,
        AuditTrail audit, PseudonymousKeys keys, DomainCalendar calendar)
    {
        var errors = new FieldErrors();
        var id = ResidentEndpoints.ValidateIdNumber(errors, body.IdNumber, calendar);
        errors.Require("result", body.Result, TicketWorkflow.MaxResultLength);
        var (ticket, refusal) = await ReadableAsync(number, user, grains);
        if (refusal is not null) return refusal;
        var category = body.Category ?? LeadCategories.KeyPersonCategoryFor(ticket!.Category)?.ToString();
        var entry = KeyPersonEndpoints.ValidateEntry(errors, new KeyPersonRequest(category, body.ExposureDate, body.Origin, body.Measure, body.Site, body.Problems),
            calendar, $"lead {ticket!.Number}");
        if (errors.Any) return Refusals.Fields(errors);

        var caller = Caller.From(user);
        if (!MayAct(caller, ticket, TicketAction.Handle)) return Refusals.Forbidden($"Your role may not handle ticket {number}.");
        if (ticket.Source == TicketSource.ResidentAppeal || !LeadCategories.IsAboutAPerson(ticket.Category))
            return Refusals.Unprocessable("Not a lead about a person", $"Ticket {number} is not a lead about a person (fever, back from Wuhan, a vehicle from Hubei).",
                "ticket.not-about-a-person");
        if (!TicketWorkflow.IsLegal(ticket.State, TicketAction.Handle))
            return Refusals.Unprocessable("The ticket cannot do that now", TicketWorkflow.Explain(ticket.State, TicketAction.Handle), TicketWorkflow.IllegalTransition);
        // The register belongs to the person's village: the one the ticket is dispatched to (or its place, for the 12345 centre).
        var village = ticket.Assignee is { Kind: AssigneeKind.Village } a ? a.Code : ticket.Location.Region.Value;
        if (!RegionCode.TryParse(village, out var villageCode) || villageCode.Level != RegionLevel.Village || !caller.Covers(villageCode))
            return Refusals.Unprocessable("No village", $"Ticket {number} is not dispatched to a village whose register you keep.", "ticket.no-village");

        var residentKey = keys.ForIdNumber(id!.Value.Value);
        var (registered, notRegistered) = await KeyPersonEndpoints.RegisterEntryAsync(village, residentKey, entry, user, grains, audit, $"ticket={ticket.Number}");
        if (notRegistered is not null) return notRegistered;

        await audit.RecordAsync(user, "ticket.handle", ticket.Number, ticket.Location.Region.Value, ContactDetail(ticket));
        var result = $"{body.Result!.Trim()}（已登记为重点人员 · registered as a key person: {registered!.Entry!.Category}, entry {registered.Entry.Id}）";
        var handled = await grains.GetGrain<ITicketGrain>(number).ApplyAsync(TicketCommand.Handle(result), new TicketActor(caller.Subject, caller.Role));
        if (handled.Refusal is { } why) return Refusals.Unprocessable("Registered, but the ticket could not be handled", why.Reason, why.Code);
        var profile = await grains.GetGrain<IResidentGrain>(residentKey).GetProfileAsync();
        return Results.Ok(new TicketKeyPersonResponse(TicketDto.From(handled.Ticket!), registered.Entry, residentKey, NameMasking.Mask(profile?.Name ?? "")));
    }
}
