using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Options;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

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
public static partial class TicketEndpoints
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
        open.MapGet("/{number}/resident", ResidentOf).RequireAuthorization(Policies.AnyStaff);
        // Registers an entry (a second run would add another): a rejected call answers 503.
        open.MapPost("/{number}/key-person", RegisterKeyPerson).RequireAuthorization(Policies.AnyStaff).WithoutRejectionRetry();

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
                var decision = ParseEnum<AppealDecision>(errors, "decision", body.Decision, required: false);
                return (TicketCommand.Handle(body.Result ?? "", decision), errors);
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
}
