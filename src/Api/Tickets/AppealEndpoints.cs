using System.Security.Claims;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

public sealed record AppealRequest(string? Reason, string? Note);

/// <summary>An appeal as its resident sees it: state, number, deadline, and the village's answer once given.</summary>
public sealed record ResidentAppealDto(string Number, string State, string Reason, string Description, DateTimeOffset ReceivedAt, DateTimeOffset? DueAt,
    bool Overdue, bool AwaitsAnswer, string? Decision, string? Answer, DateTimeOffset? AnsweredAt, DateTimeOffset? ClosedAt, string StatusUrl)
{
    public static ResidentAppealDto From(Ticket t)
    {
        // The answer is the village's latest handling while it stands (a reopening takes it back until answered again).
        var answered = t.AppealDecision is not null && !TicketAppeals.AwaitsAnswer(t);
        return new(t.Number, t.State.ToString(), t.AppealReason?.ToString() ?? nameof(AppealReason.Other), t.Description, t.ReceivedAt, t.DueAt, t.Overdue,
            TicketAppeals.AwaitsAnswer(t), answered ? t.AppealDecision!.ToString() : null, answered ? t.Result : null, answered ? t.HandledAt : null,
            t.ClosedAt, $"/api/tickets/public/{t.Number}");
    }
}

/// <summary>
/// Residents' appeals against their health code (issue 14, "Appeals"; docs/tickets.md). A signed-in resident files one for
/// themselves (a household head also for a member without a phone of their own); it becomes a ticket of kind Appeal, source
/// ResidentAppeal, carrying the resident's pseudonymous key, located at the resident's village and dispatched to it by rule.
/// One appeal awaits the village's answer at a time: a second answers 409 naming the first.
/// </summary>
public static class AppealEndpoints
{
    public const string AlreadyOpenCode = TicketAppeals.AlreadyOpen;

    public static IEndpointRouteBuilder MapAppealEndpoints(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/residents/me/appeals").WithTags("Appeals").RequireAuthorization(Policies.Resident);
        // A re-run would file nothing new (the first is open: 409) but answer differently: a rejected call answers 503.
        me.MapPost("/", (AppealRequest body, ClaimsPrincipal user, IGrainFactory grains) =>
            ResidentEndpoints.WithResident(user, key => FileAsync(grains, key, body, new TicketActor("resident", "resident")))).WithoutRejectionRetry();
        me.MapGet("/", (ClaimsPrincipal user, IGrainFactory grains) => ResidentEndpoints.WithResident(user, key => ListAsync(grains, key)));

        var member = app.MapGroup("/api/households/mine/members/{memberKey}/appeals").WithTags("Appeals").RequireAuthorization(Policies.Resident);
        member.MapPost("/", (string memberKey, AppealRequest body, ClaimsPrincipal user, IGrainFactory grains) =>
            ResidentEndpoints.AsHead(user, grains, memberKey, (_, _) => FileAsync(grains, memberKey, body, new TicketActor("household-head", "resident"))))
            .WithoutRejectionRetry();
        member.MapGet("/", (string memberKey, ClaimsPrincipal user, IGrainFactory grains) =>
            ResidentEndpoints.AsHead(user, grains, memberKey, (_, _) => ListAsync(grains, memberKey)));
        return app;
    }

    private static async Task<IResult> FileAsync(IGrainFactory grains, string residentKey, AppealRequest body, TicketActor actor)
    {
        var errors = new FieldErrors();
        AppealReason? reason = null;
        if (string.IsNullOrWhiteSpace(body.Reason)) errors.Add("reason", $"is required (one of: {string.Join(", ", Enum.GetNames<AppealReason>())})");
        else if (!body.Reason.Trim().All(char.IsAsciiLetter) || !Enum.TryParse<AppealReason>(body.Reason.Trim(), true, out var parsed) || !Enum.IsDefined(parsed))
            errors.Add("reason", $"unknown reason (one of: {string.Join(", ", Enum.GetNames<AppealReason>())})");
        else reason = parsed;
        foreach (var (field, why) in TicketAppeals.Check(reason ?? AppealReason.WrongColour, body.Note)) errors.Add(field, why);
        if (errors.Any) return Refusals.Fields(errors);

        var profile = await grains.GetGrain<IResidentGrain>(residentKey).GetProfileAsync();
        if (profile is null) return Refusals.NotFound("No resident record for this sign-in.");
        if (!RegionCode.TryParse(profile.VillageCode, out var village)) return Refusals.Unprocessable("No village", "Your record names no village to appeal to.");

        var note = string.IsNullOrWhiteSpace(body.Note) ? null : body.Note.Trim();
        var filing = await grains.GetGrain<IResidentAppealsGrain>(residentKey).FileAsync(new NewTicket(TicketSource.ResidentAppeal, TicketKind.Appeal, null,
            new TicketLocation(village, null), TicketAppeals.Describe(reason!.Value, note), null, null, actor,
            ResidentKey: residentKey, AppealReason: reason, DispatchTo: TicketAssignee.Village(village)));
        if (filing.AlreadyOpen is { } open)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "An appeal is already open",
                detail: $"Your appeal {open.Number} still awaits the village's answer (due {open.DueAt:yyyy-MM-dd HH:mm}).",
                extensions: new Dictionary<string, object?> { ["code"] = AlreadyOpenCode, ["number"] = open.Number });
        var ticket = filing.Filed!;
        return Results.Created($"/api/residents/me/appeals/{ticket.Number}", ResidentAppealDto.From(ticket));
    }

    private static async Task<IResult> ListAsync(IGrainFactory grains, string residentKey) =>
        Results.Ok((await grains.GetGrain<IResidentAppealsGrain>(residentKey).ListAsync()).Select(ResidentAppealDto.From).ToList());
}
