using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Api.Tickets;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Residents;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Endpoints;

/// <summary>One staff access to the resident's record, as the resident sees it: the role and a masked account name.</summary>
public sealed record StaffAccess(DateTimeOffset At, string Role, string Actor, string Action);

/// <summary>
/// A signed-in resident downloads what the system holds about them (docs/data-governance.md): their record, household,
/// code history with reasons, key-person entries, trips and matches, checkpoint passes still kept, their appeals, and who among staff
/// read or changed the record (from the audit trail). The download itself is audited.
/// </summary>
public static class ResidentDataEndpoints
{
    public static IEndpointRouteBuilder MapResidentDataEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/residents/me/data", Download).WithTags("Residents").RequireAuthorization(Policies.Resident);
        return app;
    }

    private static async Task<IResult> Download(ClaimsPrincipal user, IGrainFactory grains, IPassStore passes, IAuditLog log, AuditTrail audit,
        IOptions<RetentionOptions> retention, DomainCalendar calendar, TimeProvider clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        if (Caller.From(user).ResidentKey is not { } key) return Refusals.NotFound("This phone has no registered resident yet.");
        var data = await grains.GetGrain<IResidentGrain>(key).GetDataExportAsync();
        if (data is null) return Refusals.NotFound("This phone has no registered resident yet.");
        var household = await grains.GetGrain<IHouseholdGrain>(data.Profile.HouseholdId).GetAsync();
        var now = calendar.Now;
        var kept = await passes.ForResidentAsync(key, now.AddDays(-retention.Value.CheckpointPassDays - 1), now.AddMinutes(1), 1_000);
        var appeals = (await grains.GetGrain<IResidentAppealsGrain>(key).ListAsync()).Select(ResidentAppealDto.From)
            .Select(a => new { a.Number, a.State, a.Reason, FiledAt = a.ReceivedAt, a.Decision, a.Answer, a.AnsweredAt });
        var trail = await log.QueryAsync(new AuditQuery(key, null, null, null, 0, 1_000));
        var accesses = trail.Where(e => Roles.IsStaff(e.ActorRole))
            .Select(e => new StaffAccess(e.At, e.ActorRole, MaskActor(e.ActorId), e.Action)).ToList();
        await audit.RecordAsync(user, "resident.data.download", key, data.Profile.VillageCode);
        var file = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            generatedAt = clock.GetUtcNow(),
            profile = data.Profile,
            household = household is null ? null : new { household.HouseholdId, household.VillageCode, members = household.Members },
            code = data.Code,
            selfReport = data.SelfReport,
            needs = data.Needs,
            keyPersonEntries = data.KeyPersonEntries,
            trips = data.Trips,
            tripMatches = data.TripMatches,
            householdClaim = data.Claim,
            checkpointPasses = kept.Select(p => new { p.At, p.CheckpointId, p.Direction, Colour = p.ColourSeen, p.Outcome }),
            appeals,
            tickets = "12345 calls and leads are not listed here (a call is not linked to a resident; a lead filed while signed in carries your key but is not indexed by it): ask the hotline with the ticket number",
            staffAccesses = accesses,
        }, json.Value.SerializerOptions);
        return Results.File(file, "application/json; charset=utf-8", $"sanmenxia-my-data-{calendar.Today:yyyyMMdd}.json");
    }

    /// <summary>A staff account name shown to a resident: its first two characters, then stars (the role is shown in full).</summary>
    public static string MaskActor(string actorId) => actorId.Length <= 2 ? "**" : actorId[..2] + new string('*', Math.Min(6, actorId.Length - 2));
}
