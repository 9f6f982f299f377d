using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

public sealed record LeadRequest(string? Category, string? RegionCode, string? Address, double? Latitude, double? Longitude, string? Description,
    string? Phone, string? Name, bool? Callback);
public sealed record CallRequest(string? Source, string? Kind, string? Category, string? RegionCode, string? Address, double? Latitude, double? Longitude,
    string? Description, string? Phone, string? Name, bool? Callback);
public sealed record TicketReceipt(string Number, string State, DateTimeOffset ReceivedAt, DateTimeOffset? DueAt, string StatusUrl);
public sealed record PublicTicketStatus(string Number, string State, string Kind, string? Category, DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt, IReadOnlyList<PublicTicketStep> Steps);
public sealed record PublicTicketStep(string Kind, DateTimeOffset At);

public sealed record AcceptTicketRequest(string? Note);
public sealed record RejectTicketRequest(string? Reason, string? DuplicateOf, string? Note);
public sealed record DispatchTicketRequest(string? Department, string? Village, string? Note);
public sealed record HandleTicketRequest(string? Result);
public sealed record FeedbackTicketRequest(string? Outcome, string? Note);
public sealed record CloseTicketRequest(string? Note);

public sealed record TicketStepDto(string Kind, DateTimeOffset At, string Actor, string ActorRole, string From, string To, string? Note, string? Assignee,
    string? RejectReason, string? DuplicateOf, string? Feedback, string? EscalatedTo);
public sealed record TicketContactDto(string MaskedPhone, string? Name, bool CallbackRequested);

/// <summary>A ticket as staff see it: the contact masked (the clear number only through /contact), the history in full.</summary>
public sealed record TicketDto(string Number, string Source, string Kind, string? Category, string RegionCode, string? Address, double? Latitude, double? Longitude,
    string Description, TicketContactDto? Contact, string State, string? AssigneeKind, string? Assignee, IReadOnlyList<string> Hops, string? Result,
    string? Feedback, string? RejectReason, string? DuplicateOf, int Reopens, bool Supervised, DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? AcceptedAt, DateTimeOffset? HandledAt, DateTimeOffset? ClosedAt, DateTimeOffset? DueAt, bool Overdue, DateTimeOffset? OverdueSince,
    int EscalationLevel, string? EscalatedTo, IReadOnlyList<TicketStepDto> Steps)
{
    public static TicketDto From(Ticket t) => new(t.Number, t.Source.ToString(), t.Kind.ToString(), t.Category?.ToString(), t.Location.Region.Value,
        t.Location.Address, t.Location.Latitude, t.Location.Longitude, t.Description,
        t.Contact is { } c ? new TicketContactDto(c.MaskedPhone, c.Name, c.CallbackRequested) : null, t.State.ToString(), t.Assignee?.Kind.ToString(),
        t.Assignee?.Code, t.Hops.Select(h => h.ToString()).ToList(), t.Result, t.Feedback?.ToString(), t.RejectReason?.ToString(), t.DuplicateOf,
        t.Reopens, t.Supervised, t.ReceivedAt, t.UpdatedAt, t.AcceptedAt, t.HandledAt, t.ClosedAt, t.DueAt, t.Overdue, t.OverdueSince,
        t.EscalationLevel, t.EscalatedTo?.Value, t.Steps.Select(s => new TicketStepDto(s.Kind.ToString(), s.At, s.Actor.Id, s.Actor.Role,
            s.From.ToString(), s.To.ToString(), s.Note, s.Assignee?.ToString(), s.RejectReason?.ToString(), s.DuplicateOf, s.Feedback?.ToString(),
            s.EscalatedTo)).ToList());
}

/// <summary>A queue line: no personal data (the read model holds none).</summary>
public sealed record TicketQueueItem(string Number, string State, string Kind, string? Category, string Source, string RegionCode, string? AssigneeKind,
    string? Assignee, bool Overdue, int EscalationLevel, string? EscalatedTo, DateTimeOffset? DueAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TicketQueueItem From(TicketRow r, DateTimeOffset now) => new(r.Number, r.State.ToString(), r.Kind.ToString(), r.Category?.ToString(),
        r.Source.ToString(), r.RegionCode, r.AssigneeKind?.ToString(), r.Assignee, r.OverdueAt(now), r.EscalationLevel, r.EscalatedTo, r.DueAt,
        r.CreatedAt, r.UpdatedAt);
}
public sealed record TicketQueuePage(IReadOnlyList<TicketQueueItem> Items, string? Next);
public sealed record TicketFiguresDto(DateOnly? Day, int Received, int Accepted, int Rejected, int Closed, int Open, int Overdue, double? ClosingRate,
    double? MedianHoursToClose, double? P90HoursToClose);
public sealed record TicketFiguresReport(string Region, DateOnly From, DateOnly To, TicketFiguresDto Total, IReadOnlyList<TicketFiguresDto> Days);
public sealed record TicketCatalogue(IReadOnlyList<object> Categories, IReadOnlyList<string> Kinds, IReadOnlyList<string> Sources, IReadOnlyList<TicketDepartment> Departments);

/// <summary>
/// Platforms 1 (我要上报疫情) and 6 (12345): anyone files a lead and follows it by number; hotline operators record calls;
/// staff move tickets through the workflow; queues and figures for each jurisdiction.
/// <para>Who may do what (<see cref="MayRead"/>, <see cref="MayAct"/>):</para>
/// <list type="bullet">
/// <item>hotline operators: city-wide (the 12345 centre serves the whole city), every action, the caller's clear number;
/// they handle what is not dispatched to a village, i.e. a department's ticket is answered in the 12345 system by the
/// operator who liaises with that department (there is no department role yet; departments are a configured list).</item>
/// <item>commanders: every action on tickets located within their jurisdiction (a city commander is city-wide); they are
/// the supervisors a twice-dissatisfied ticket goes to. No clear phone numbers.</item>
/// <item>village staff: only tickets currently dispatched to a village within their jurisdiction: read them and handle them.</item>
/// <item>administrators: everything. Checkpoint staff: nothing.</item>
/// </list>
/// Reads of a ticket's personal data and every staff action are written to the audit log before the data is returned or
/// the action taken.
/// </summary>
public static class TicketEndpoints
{
    public const string PublicRateLimit = "ticket-public";
    private const int MaxDescription = 2000;
    private const int MaxAddress = 200;
    private const int MaxName = 50;

    public static IServiceCollection AddTicketApi(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetSection(TicketOptions.Section).Get<TicketOptions>()?.PublicPermitsPerMinute ?? 10;
        services.AddRateLimiter(o => o.AddPolicy(PublicRateLimit, new PublicTicketRateLimit(permits)));
        return services;
    }

    /// <summary>Per client address, with its own 429 answer (the limiter's global one speaks of trip queries).</summary>
    private sealed class PublicTicketRateLimit(int permits) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, _) =>
        {
            var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
            await Refusals.TooMany("Too many reports or status reads from this address; wait a minute.", retry, context.HttpContext).ExecuteAsync(context.HttpContext);
        };

        public RateLimitPartition<string> GetPartition(HttpContext http) => RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
    }

    public static IEndpointRouteBuilder MapTicketEndpoints(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("/api/tickets").WithTags("Tickets");
        // A re-run would allocate a second number: a rejected call answers 503 and the reporter sends again.
        open.MapPost("/leads", FileLead).AllowAnonymous().RequireRateLimiting(PublicRateLimit).WithoutRejectionRetry();
        open.MapGet("/public/{number}", PublicStatus).AllowAnonymous().RequireRateLimiting(PublicRateLimit);
        open.MapGet("/catalogue", Catalogue).AllowAnonymous();

        open.MapPost("/", RecordCall).RequireAuthorization(Policies.Hotline).WithoutRejectionRetry();
        open.MapGet("/queue", Queue).RequireAuthorization(Policies.AnyStaff);
        open.MapGet("/figures", Figures).RequireAuthorization(Policies.AnyStaff);
        open.MapGet("/{number}", Get).RequireAuthorization(Policies.AnyStaff);
        open.MapGet("/{number}/contact", Contact).RequireAuthorization(Policies.Hotline);

        open.MapPost("/{number}/accept", (string number, AcceptTicketRequest? body, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit) =>
            Act(number, user, grains, audit, () =>
            {
                var errors = new FieldErrors();
                CheckNote(errors, "note", body?.Note, TicketWorkflow.MaxNoteLength);
                return (TicketCommand.Accept(body?.Note), errors);
            })).RequireAuthorization(Policies.AnyStaff);
        open.MapPost("/{number}/reject", (string number, RejectTicketRequest body, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit) =>
            Act(number, user, grains, audit, () => RejectCommand(number, body))).RequireAuthorization(Policies.AnyStaff);
        open.MapPost("/{number}/dispatch", async (string number, DispatchTicketRequest body, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit,
            IOptions<TicketOptions> options, RegionCatalog regions) =>
        {
            var errors = new FieldErrors();
            var assignee = await AssigneeAsync(body, options.Value, regions, errors);
            CheckNote(errors, "note", body.Note, TicketWorkflow.MaxNoteLength);
            return errors.Any ? Refusals.Fields(errors) : await Act(number, user, grains, audit, () => (TicketCommand.Dispatch(assignee!, body.Note), null));
        }).RequireAuthorization(Policies.AnyStaff);
        open.MapPost("/{number}/handle", (string number, HandleTicketRequest body, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit) =>
            Act(number, user, grains, audit, () =>
            {
                var errors = new FieldErrors();
                errors.Require("result", body.Result, TicketWorkflow.MaxResultLength);
                return (TicketCommand.Handle(body.Result ?? ""), errors);
            })).RequireAuthorization(Policies.AnyStaff);
        open.MapPost("/{number}/feedback", (string number, FeedbackTicketRequest body, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit) =>
            Act(number, user, grains, audit, () =>
            {
                var errors = new FieldErrors();
                var outcome = ParseEnum<FeedbackOutcome>(errors, "outcome", body.Outcome, required: true);
                CheckNote(errors, "note", body.Note, TicketWorkflow.MaxNoteLength);
                return (TicketCommand.GiveFeedback(outcome ?? FeedbackOutcome.Satisfied, body.Note), errors);
            })).RequireAuthorization(Policies.AnyStaff);
        open.MapPost("/{number}/close", (string number, CloseTicketRequest? body, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit) =>
            Act(number, user, grains, audit, () =>
            {
                var errors = new FieldErrors();
                CheckNote(errors, "note", body?.Note, TicketWorkflow.MaxNoteLength);
                return (TicketCommand.Close(body?.Note), errors);
            })).RequireAuthorization(Policies.AnyStaff);
        return app;
    }

    // ------------------------------------------------------------------ public

    private static async Task<IResult> FileLead(LeadRequest body, IGrainFactory grains, RegionCatalog regions, PseudonymousKeys keys, DomainCalendar calendar)
    {
        var errors = new FieldErrors();
        var category = ParseEnum<LeadCategory>(errors, "category", body.Category, required: true);
        var location = await LocationAsync(errors, body.RegionCode, body.Address, body.Latitude, body.Longitude, regions);
        errors.Require("description", body.Description, MaxDescription);
        var (contact, phone) = ContactOf(errors, body.Phone, body.Name, body.Callback, keys);
        if (errors.Any) return Refusals.Fields(errors);

        var ticket = await CreateAsync(grains, calendar, new NewTicket(TicketSource.LeadReport, TicketKind.Report, category, location!,
            body.Description!.Trim(), contact, phone, TicketActor.Anonymous));
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

    // ------------------------------------------------------------------ staff

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

    private static async Task<IResult> Queue(ClaimsPrincipal user, ITicketStore store, DomainCalendar calendar, IOptions<TicketOptions> options,
        string? region, string? department, string? village, string? state, bool? escalated, string? after, int take = 50)
    {
        var caller = Caller.From(user);
        var errors = new FieldErrors();
        if (take is < 1 or > 500) errors.Add("take", "must be 1..500");
        if (!TicketCursor.TryDecode(after, out var cursor)) errors.Add("after", "is not a cursor this queue returned");
        var stateFilter = ParseEnum<TicketState>(errors, "state", state, required: false);
        if (stateFilter is TicketState.Closed or TicketState.Rejected) errors.Add("state", "queues hold open tickets only; find a closed one by its number");
        if (department is not null && options.Value.FindDepartment(department) is null) errors.Add("department", $"unknown department '{department}'");
        RegionCode? villageCode = null;
        if (village is not null)
        {
            if (!RegionCode.TryParse(village, out var v, out var verror)) errors.Add("village", verror);
            else if (v.Level != RegionLevel.Village) errors.Add("village", $"{village} is not a village code");
            else villageCode = v;
        }
        RegionCode? regionCode = null;
        if (region is not null)
        {
            if (!RegionCode.TryParse(region, out var r, out var rerror)) errors.Add("region", rerror);
            else regionCode = r;
        }
        if (errors.Any) return Refusals.Fields(errors);

        switch (caller.Role)
        {
            case Roles.Hotline or Roles.Admin:
                break;
            case Roles.Commander:
                regionCode ??= caller.Jurisdiction;
                if (regionCode is not { } rc || !caller.Covers(rc)) return Refusals.Forbidden("The queue's region is outside your jurisdiction.");
                if (villageCode is { } vc0 && !caller.Covers(vc0)) return Refusals.Forbidden($"Village {vc0.Value} is outside your jurisdiction.");
                break;
            case Roles.VillageStaff:
                // Village staff see what is dispatched to their village, nothing else.
                villageCode ??= caller.Jurisdiction is { Level: RegionLevel.Village } own ? own : null;
                if (villageCode is not { } vc || !caller.Covers(vc) || department is not null)
                    return Refusals.Forbidden("Village staff see the tickets dispatched to their own village.");
                break;
            default:
                return Refusals.Forbidden("Tickets are not part of your role.");
        }

        var now = calendar.Now;
        var rows = await store.QueueAsync(new TicketQueueQuery(now, regionCode is { } prefix ? Prefix(prefix) : null,
            options.Value.FindDepartment(department)?.Code, villageCode?.Value, stateFilter, escalated == true, take + 1, cursor));
        var page = rows.Take(take).ToList();
        var next = rows.Count > take ? new TicketCursor(page[^1].OverdueAt(now), page[^1].DueAt!.Value, page[^1].Number).Encode() : null;
        return Results.Ok(new TicketQueuePage(page.Select(r => TicketQueueItem.From(r, now)).ToList(), next));
    }

    private static async Task<IResult> Figures(ClaimsPrincipal user, ITicketStore store, DomainCalendar calendar, string? region, DateOnly? from, DateOnly? to)
    {
        var caller = Caller.From(user);
        if (caller.Role is not (Roles.Hotline or Roles.Admin or Roles.Commander or Roles.VillageStaff))
            return Refusals.Forbidden("Ticket figures are not part of your role.");
        var errors = new FieldErrors();
        RegionCode code = SanmenxiaRegions.CityCode;
        if (region is not null && !RegionCode.TryParse(region, out code, out var error)) errors.Add("region", error);
        else if (region is null && caller.Role is Roles.Commander or Roles.VillageStaff && caller.Jurisdiction is { } j) code = j;
        var last = to ?? calendar.Today;
        var first = from ?? last.AddDays(-6);
        if (first > last) errors.Add("from", "must not be after 'to'");
        else if (last.DayNumber - first.DayNumber > 91) errors.Add("from", "the period is at most 92 days");
        if (errors.Any) return Refusals.Fields(errors);
        if (caller.Role is Roles.Commander or Roles.VillageStaff && !caller.Covers(code))
            return Refusals.Forbidden($"Region {code.Value} is outside your jurisdiction.");

        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(i => first.AddDays(i)).ToList();
        var windows = days.Select(d => new TicketWindow(calendar.StartOfDay(d), calendar.EndOfDay(d)))
            .Append(new TicketWindow(calendar.StartOfDay(first), calendar.EndOfDay(last))).ToList();
        var figures = await store.FiguresAsync(Prefix(code), windows, calendar.Now);
        TicketFiguresDto Dto(TicketFigures f, DateOnly? day) => new(day, f.Received, f.Accepted, f.Rejected, f.Closed, f.Open, f.Overdue,
            Round(f.ClosingRate, 4), Round(f.MedianHoursToClose, 2), Round(f.P90HoursToClose, 2));
        return Results.Ok(new TicketFiguresReport(code.Value, first, last, Dto(figures[^1], null),
            days.Select((d, i) => Dto(figures[i], d)).ToList()));
    }

    // ------------------------------------------------------------------ transitions

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

    // ------------------------------------------------------------------ access

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

    // ------------------------------------------------------------------ validation

    private static async Task<Ticket> CreateAsync(IGrainFactory grains, DomainCalendar calendar, NewTicket request)
    {
        var number = await grains.GetGrain<ITicketNumberGrain>(TicketNumbers.DayKey(calendar.Today)).NextAsync();
        return await grains.GetGrain<ITicketGrain>(number).CreateAsync(request);
    }

    private static async Task<TicketLocation?> LocationAsync(FieldErrors errors, string? regionText, string? address, double? latitude, double? longitude, RegionCatalog regions)
    {
        RegionCode? region = null;
        if (!RegionCode.TryParse(regionText, out var code, out var error)) errors.Add("regionCode", error);
        else if (!code.IsWithin(SanmenxiaRegions.CityCode) || await regions.FindAsync(code.Value) is null) errors.Add("regionCode", $"unknown region {code.Value}");
        else region = code;
        if (address is { Length: > MaxAddress }) errors.Add("address", $"must be at most {MaxAddress} characters");
        if (latitude is null != longitude is null) errors.Add("latitude", "give both latitude and longitude, or neither");
        if (latitude is < -90 or > 90 || (latitude is { } lat && !double.IsFinite(lat))) errors.Add("latitude", "must be between -90 and 90");
        if (longitude is < -180 or > 180 || (longitude is { } lon && !double.IsFinite(lon))) errors.Add("longitude", "must be between -180 and 180");
        return region is { } r ? new TicketLocation(r, string.IsNullOrWhiteSpace(address) ? null : address.Trim(), latitude, longitude) : null;
    }

    private static (TicketContact? Contact, string? CallbackPhone) ContactOf(FieldErrors errors, string? phoneText, string? name, bool? callback, PseudonymousKeys keys)
    {
        if (name is { Length: > MaxName }) errors.Add("name", $"must be at most {MaxName} characters");
        if (string.IsNullOrWhiteSpace(phoneText))
        {
            if (callback == true) errors.Add("phone", "is required for a call back");
            return (null, null);
        }
        if (!PhoneNumber.TryParse(phoneText, out var phone, out var error))
        {
            errors.Add("phone", error);
            return (null, null);
        }
        var contact = new TicketContact(keys.ForPhone(phone.Value), phone.Masked, string.IsNullOrWhiteSpace(name) ? null : name.Trim(), callback == true);
        // The clear number is kept only when an operator must call back.
        return (contact, callback == true ? phone.Value : null);
    }

    private static T? ParseEnum<T>(FieldErrors errors, string field, string? text, bool required) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required) errors.Add(field, $"is required (one of: {string.Join(", ", Enum.GetNames<T>())})");
            return null;
        }
        if (!text.Trim().All(char.IsAsciiLetter) || !Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) || !Enum.IsDefined(value))
        {
            errors.Add(field, $"unknown value '{(text.Length > 40 ? text[..40] : text)}' (one of: {string.Join(", ", Enum.GetNames<T>())})");
            return null;
        }
        return value;
    }

    private static void CheckNote(FieldErrors errors, string field, string? text, int max)
    {
        if (text is { Length: > 0 } && text.Length > max) errors.Add(field, $"must be at most {max} characters");
    }

    private static string? ContactDetail(Ticket ticket) => ticket.Contact is { } c ? $"caller={c.PhoneKey}" : null;

    /// <summary>The region prefix of a jurisdiction: the code itself, or the city's four digits (its counties do not extend "411200").</summary>
    public static string Prefix(RegionCode code) => code.Level == RegionLevel.City ? code.Value[..4] : code.Value;

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;
}
