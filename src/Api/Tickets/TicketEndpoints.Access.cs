using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Regions;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

/// <summary>Who may see a ticket and who may act on it (see the summary in TicketEndpoints.cs).</summary>
public static partial class TicketEndpoints
{
    /// <summary>Who may see a ticket (see the class summary).</summary>
    public static bool MayRead(Caller caller, Ticket ticket) => caller.Role switch
    {
        Roles.Admin or Roles.Hotline => true,
        Roles.Commander => caller.Covers(ticket.Location.Region),
        Roles.VillageStaff => DispatchedToCallersVillage(caller, ticket),
        _ => false,
    };

    /// <summary>Who may do what to a ticket they may see (the workflow then decides whether the state allows it).</summary>
    public static bool MayAct(Caller caller, Ticket ticket, TicketAction action) => caller.Role switch
    {
        Roles.Admin or Roles.Commander => MayRead(caller, ticket),
        // The village handles what is dispatched to it; the 12345 centre everything else.
        Roles.Hotline => action != TicketAction.Handle || ticket.Assignee?.Kind != AssigneeKind.Village || ticket.State == TicketState.Supervision,
        Roles.VillageStaff => action == TicketAction.Handle && DispatchedToCallersVillage(caller, ticket),
        _ => false,
    };

    private static bool DispatchedToCallersVillage(Caller caller, Ticket ticket) =>
        ticket.Assignee is { Kind: AssigneeKind.Village } a && RegionCode.TryParse(a.Code, out var village) && caller.Covers(village);

    private static async Task<(Ticket? Ticket, IResult? Refusal)> ReadableAsync(string number, ClaimsPrincipal user, IGrainFactory grains)
    {
        var ticket = TicketNumbers.IsValid(number) ? await grains.GetGrain<ITicketGrain>(number).GetAsync() : null;
        if (ticket is null) return (null, Refusals.NotFound($"No ticket {number}."));
        return MayRead(Caller.From(user), ticket) ? (ticket, null) : (null, Refusals.Forbidden($"Ticket {number} is not yours to see."));
    }
}
