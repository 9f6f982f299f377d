using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Options;
using Sanmenxia.Regions;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

/// <summary>Staff move a ticket through the workflow: the common checks of every action, and the commands that need more than a note.</summary>
public static partial class TicketEndpoints
{
    /// <summary>
    /// Fields (400), the ticket and the caller's right to it (404, 403), the audit entry, then the grain's workflow (422 when
    /// the state does not allow the action).
    /// </summary>
    private static async Task<IResult> Act(string number, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit,
        Func<(TicketCommand Command, FieldErrors? Errors)> build)
    {
        var (command, errors) = build();
        if (errors is { Any: true }) return Refusals.Fields(errors);
        if (command is { Action: TicketAction.Reject, RejectReason: RejectReason.Duplicate, DuplicateOf: { } original }
            && await grains.GetGrain<ITicketGrain>(original).GetAsync() is null)
            return Refusals.Field("duplicateOf", $"no ticket {original}");

        var (ticket, refusal) = await ReadableAsync(number, user, grains);
        if (refusal is not null) return refusal;
        var caller = Caller.From(user);
        if (!MayAct(caller, ticket!, command.Action))
            return Refusals.Forbidden($"Your role may not {command.Action.ToString().ToLowerInvariant()} ticket {number}.");

        await audit.RecordAsync(user, $"ticket.{command.Action.ToString().ToLowerInvariant()}", ticket!.Number, ticket.Location.Region.Value, ContactDetail(ticket));
        var result = await grains.GetGrain<ITicketGrain>(number).ApplyAsync(command, new TicketActor(caller.Subject, caller.Role));
        if (result.Refusal is { } why)
            return why.Code == "ticket.not-found" ? Refusals.NotFound(why.Reason) : Refusals.Unprocessable("The ticket cannot do that now", why.Reason, why.Code);
        return Results.Ok(TicketDto.From(result.Ticket!));
    }

    private static (TicketCommand, FieldErrors?) RejectCommand(string number, RejectTicketRequest body)
    {
        var errors = new FieldErrors();
        var reason = ParseEnum<RejectReason>(errors, "reason", body.Reason, required: true);
        if (reason == RejectReason.Duplicate)
        {
            if (!TicketNumbers.IsValid(body.DuplicateOf)) errors.Add("duplicateOf", "names the ticket this one repeats: 12345-YYYYMMDD-NNNNNN");
            else if (body.DuplicateOf == number) errors.Add("duplicateOf", "a ticket cannot duplicate itself");
        }
        CheckNote(errors, "note", body.Note, TicketWorkflow.MaxNoteLength);
        return (TicketCommand.Reject(reason ?? RejectReason.NotEpidemicRelated, body.DuplicateOf, body.Note), errors);
    }

    private static async Task<TicketAssignee?> AssigneeAsync(DispatchTicketRequest body, TicketOptions options, RegionCatalog regions, FieldErrors errors)
    {
        if ((body.Department is null) == (body.Village is null))
        {
            errors.Add("department", "give either a department or a village");
            return null;
        }
        if (body.Department is not null)
        {
            if (options.FindDepartment(body.Department) is { } department) return TicketAssignee.Department(department.Code);
            errors.Add("department", $"unknown department '{body.Department}' (known: {string.Join(", ", options.EffectiveDepartments.Select(d => d.Code))})");
            return null;
        }
        if (!RegionCode.TryParse(body.Village, out var village, out var error)) errors.Add("village", error);
        else if (village.Level != RegionLevel.Village) errors.Add("village", $"{village.Value} is not a village code");
        else if (await regions.FindAsync(village.Value) is null) errors.Add("village", $"unknown village {village.Value}");
        else return TicketAssignee.Village(village);
        return null;
    }
}
