using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Retention;
using Sanmenxia.Security;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Endpoints;

public sealed record EraseResidentRequest(string? IdNumber, string? Reason);
public sealed record EraseVillageRequest(string? Reason, string? Confirm);
public sealed record DeletionRequestBody(string? IdNumber, string? Reason);
public sealed record DeletionDecisionBody(bool? CarryOut, string? Reason);

/// <summary>
/// Retention and erasure (docs/data-governance.md): the retention job's last run and a run on demand, an administrator's
/// erasure of one resident or of a whole village at the end of the emergency, and the village's deletion requests.
/// </summary>
public static partial class RetentionEndpoints
{
    public static IEndpointRouteBuilder MapRetentionEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Retention").RequireAuthorization(Policies.Admin);
        admin.MapGet("/retention", async (IGrainFactory grains) =>
            Results.Ok(new { last = await grains.GetGrain<IRetentionGrain>(IRetentionGrain.Key).GetLastAsync() }));
        admin.MapPost("/retention/run", async (IGrainFactory grains, ClaimsPrincipal user) =>
            Results.Ok(await grains.GetGrain<IRetentionGrain>(IRetentionGrain.Key).RunAsync(Caller.From(user).Subject)));
        admin.MapPost("/residents/erase", EraseResident);
        admin.MapPost("/villages/{code}/erase-residents", EraseVillage).WithoutRejectionRetry();
        admin.MapPost("/deletion-requests/{villageCode}/{id}/decision", Decide).WithoutRejectionRetry();

        var village = app.MapGroup("/api/villages/{code}/deletion-requests").WithTags("Retention").RequireAuthorization(Policies.Village);
        village.MapPost("/", RecordRequest);
        village.MapGet("/", ListRequests);
        return app;
    }

    private static async Task<IResult> EraseResident(EraseResidentRequest body, ClaimsPrincipal user, IGrainFactory grains, PseudonymousKeys keys,
        DomainCalendar calendar, AuditTrail audit)
    {
        var errors = new FieldErrors();
        ResidentIdNumber id = default;
        if (!ResidentIdNumber.TryParse(body.IdNumber?.Trim(), calendar.Today, out id, out var idError)) errors.Add("idNumber", idError ?? "is not an ID number");
        errors.Require("reason", body.Reason, 500);
        if (errors.Any) return Refusals.Fields(errors);
        var key = keys.ForIdNumber(id.Value);
        var resident = grains.GetGrain<IResidentGrain>(key);
        if (await resident.GetProfileAsync() is not { } profile) return Refusals.NotFound("No such resident.");
        if (!RegionCode.TryParse(profile.VillageCode, out var villageCode) || !Caller.From(user).Covers(villageCode))
            return Refusals.Forbidden("The resident's village is outside your jurisdiction.");
        await audit.RecordAsync(user, "resident.erase", key, profile.VillageCode, "reason=" + body.Reason!.Trim());
        return Results.Ok(await resident.EraseAsync(Actor.Staff(Caller.From(user).Subject, Roles.Admin), body.Reason.Trim()));
    }

    /// <summary>The end of the emergency for one village: every resident's record erased, by an administrator's decision.</summary>
    private static async Task<IResult> EraseVillage(string code, EraseVillageRequest body, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit)
    {
        var errors = new FieldErrors();
        errors.Require("reason", body.Reason, 500);
        if (body.Confirm != code) errors.Add("confirm", "must repeat the village code, to confirm the erasure of every resident of the village");
        if (!RegionCode.TryParse(code, out var villageCode, out var codeError)) errors.Add("code", codeError ?? "is not a region code");
        if (errors.Any) return Refusals.Fields(errors);
        if (!Caller.From(user).Covers(villageCode)) return Refusals.Forbidden("The village is outside your jurisdiction.");
        var actor = Actor.Staff(Caller.From(user).Subject, Roles.Admin);
        var village = grains.GetGrain<IVillageGrain>(code);
        long erased = 0, passes = 0;
        while (true)
        {
            // Erased residents leave the list, so the first page is always the next batch.
            var page = await village.ListResidentsAsync(new VillageResidentFilter(), 0, 200);
            if (page.Items.Count == 0) break;
            var outcomes = await Task.WhenAll(page.Items.Select(r => grains.GetGrain<IResidentGrain>(r.ResidentKey).EraseAsync(actor, body.Reason!.Trim())));
            erased += outcomes.Sum(o => o.Counts.Where(c => c.Kind == RetentionKinds.Residents).Sum(c => c.Count));
            passes += outcomes.Sum(o => o.Counts.Where(c => c.Kind == RetentionKinds.CheckpointPasses).Sum(c => c.Count));
            if (outcomes.All(o => !o.Erased)) break;
        }
        await audit.RecordAsync(user, "village.erase-residents", null, code, $"residents={erased}; checkpoint-passes={passes}; reason={body.Reason!.Trim()}");
        return Results.Ok(new { village = code, counts = new[] { new RetentionCount(RetentionKinds.Residents, erased), new RetentionCount(RetentionKinds.CheckpointPasses, passes) } });
    }
}
