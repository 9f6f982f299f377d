using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Retention;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

public static partial class RetentionEndpoints
{
    /// <summary>The village records a resident's deletion request (state: requested); an administrator decides it.</summary>
    private static async Task<IResult> RecordRequest(string code, DeletionRequestBody body, ClaimsPrincipal user, IGrainFactory grains,
        PseudonymousKeys keys, DomainCalendar calendar, TimeProvider clock, AuditTrail audit)
    {
        var errors = new FieldErrors();
        if (!RegionCode.TryParse(code, out var villageCode, out var codeError)) errors.Add("code", codeError ?? "is not a region code");
        ResidentIdNumber id = default;
        if (!ResidentIdNumber.TryParse(body.IdNumber?.Trim(), calendar.Today, out id, out var idError)) errors.Add("idNumber", idError ?? "is not an ID number");
        errors.Require("reason", body.Reason, 500);
        if (errors.Any) return Refusals.Fields(errors);
        var caller = Caller.From(user);
        if (!caller.Covers(villageCode)) return Refusals.Forbidden("The village is outside your jurisdiction.");
        var key = keys.ForIdNumber(id.Value);
        var profile = await grains.GetGrain<IResidentGrain>(key).GetProfileAsync();
        if (profile is null || profile.VillageCode != code) return Refusals.Field("idNumber", "no resident of this village has this ID number", StatusCodes.Status404NotFound);
        var request = await grains.GetGrain<IDeletionRequestsGrain>(code).AddAsync(new DeletionRequest(Guid.NewGuid().ToString("N")[..12], key,
            NameMasking.Mask(profile.Name), profile.MaskedIdNumber, code, body.Reason!.Trim(), caller.Subject, clock.GetUtcNow()));
        await audit.RecordAsync(user, "resident.deletion-request", key, code, "request=" + request.Id);
        return Results.Created($"/api/villages/{code}/deletion-requests/{request.Id}", request);
    }

    private static async Task<IResult> ListRequests(string code, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit)
    {
        if (!RegionCode.TryParse(code, out var villageCode, out var codeError)) return Refusals.Field("code", codeError ?? "is not a region code");
        if (!Caller.From(user).Covers(villageCode)) return Refusals.Forbidden("The village is outside your jurisdiction.");
        await audit.RecordAsync(user, "village.deletion-requests.read", null, code);
        return Results.Ok(await grains.GetGrain<IDeletionRequestsGrain>(code).ListAsync());
    }

    /// <summary>An administrator carries a request out (the resident's erasure) or refuses it with a reason; a decided request is final (422).</summary>
    private static async Task<IResult> Decide(string villageCode, string id, DeletionDecisionBody body, ClaimsPrincipal user, IGrainFactory grains,
        TimeProvider clock, AuditTrail audit)
    {
        var errors = new FieldErrors();
        if (body.CarryOut is null) errors.Add("carryOut", "is required: true carries the request out, false refuses it");
        errors.Require("reason", body.Reason, 500);
        if (!RegionCode.TryParse(villageCode, out var village, out var codeError)) errors.Add("villageCode", codeError ?? "is not a region code");
        if (errors.Any) return Refusals.Fields(errors);
        var caller = Caller.From(user);
        if (!caller.Covers(village)) return Refusals.Forbidden("The village is outside your jurisdiction.");
        var requests = grains.GetGrain<IDeletionRequestsGrain>(villageCode);
        if (await requests.GetAsync(id) is not { } request) return Refusals.NotFound("No such deletion request.");
        if (request.Status != DeletionRequestStatus.Requested)
            return Refusals.Unprocessable("Already decided", $"The request was {request.Status} on {request.DecidedAt:yyyy-MM-dd}.", "deletion-request.decided");
        var reason = body.Reason!.Trim();
        await audit.RecordAsync(user, body.CarryOut == true ? "resident.erase" : "resident.deletion-request.refuse", request.ResidentKey, villageCode,
            $"request={id}; reason={reason}");
        ErasureOutcome? erasure = null;
        if (body.CarryOut == true) erasure = await grains.GetGrain<IResidentGrain>(request.ResidentKey).EraseAsync(Actor.Staff(caller.Subject, Roles.Admin), reason);
        var decided = await requests.DecideAsync(id, body.CarryOut == true, caller.Subject, reason, clock.GetUtcNow());
        return Results.Ok(new { request = decided, erasure });
    }
}
