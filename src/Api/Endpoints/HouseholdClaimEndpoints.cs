using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Residents;

namespace Sanmenxia.Api.Endpoints;

/// <summary>
/// Household claims (issue 16, item 4; docs/security.md): a member a household head adds is provisional until the village
/// confirms it; the person registering for themselves takes the record over. The village sees its open claims (provisional
/// ones, and confirmed ones someone contested) and confirms or reverses each. Village staff, within their jurisdiction;
/// every read and decision is audited before it is carried out.
/// </summary>
public static class HouseholdClaimEndpoints
{
    public static IEndpointRouteBuilder MapHouseholdClaimEndpoints(this IEndpointRouteBuilder app)
    {
        var claims = app.MapGroup("/api/villages/{code}/claims").WithTags("Villages").RequireAuthorization(Policies.Village);
        claims.MapGet("/", List);
        // Not re-run after a rejected grain call: a second run would find the claim decided and answer 404/409 for what the
        // first did. A failure part-way leaves the claim listed, and the village's next try finishes it.
        claims.MapPost("/{residentKey}/confirm", Confirm).WithoutRejectionRetry();
        claims.MapPost("/{residentKey}/reverse", Reverse).WithoutRejectionRetry();
        return app;
    }

    private static Task<IResult> List(string code, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains, AuditTrail audit) =>
        VillageEndpoints.InJurisdiction(code, user, regions, async info =>
        {
            await audit.RecordAsync(user, "household.claims.list", null, info.Code.Value);
            return Results.Ok(await grains.GetGrain<IHouseholdClaimsGrain>(info.Code.Value).ListAsync());
        });

    private static Task<IResult> Confirm(string code, string residentKey, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains,
        AuditTrail audit) =>
        Decide(code, residentKey, user, regions, grains, async (village, actor) =>
        {
            await audit.RecordAsync(user, "household.claim.confirm", residentKey, village);
            return await grains.GetGrain<IRegistrationGrain>(0).ConfirmClaimAsync(residentKey, actor);
        });

    private static Task<IResult> Reverse(string code, string residentKey, ReasonRequest? body, ClaimsPrincipal user, RegionCatalog regions,
        IGrainFactory grains, AuditTrail audit)
    {
        if (body?.Reason is { Length: > 500 }) return Task.FromResult(Refusals.Field("reason", "must be at most 500 characters"));
        return Decide(code, residentKey, user, regions, grains, async (village, actor) =>
        {
            await audit.RecordAsync(user, "household.claim.reverse", residentKey, village, body?.Reason?.Trim());
            return await grains.GetGrain<IRegistrationGrain>(0).ReverseClaimAsync(village, residentKey, actor);
        });
    }

    /// <summary>Only a claim on this village's worklist is decided here, by staff whose jurisdiction covers the village.</summary>
    private static Task<IResult> Decide(string code, string residentKey, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains,
        Func<string, Actor, Task<HouseholdClaim?>> decide) =>
        VillageEndpoints.InJurisdiction(code, user, regions, async info =>
        {
            var village = info.Code.Value;
            var listed = await grains.GetGrain<IHouseholdClaimsGrain>(village).GetAsync(residentKey);
            if (listed is null) return Refusals.NotFound("No open household claim for this resident in this village.");
            var caller = Caller.From(user);
            var decided = await decide(village, Actor.Staff(caller.Subject, caller.Role));
            if (decided is null)
            {
                // The record is no claim any more (the person registered themselves): a stale worklist entry.
                await grains.GetGrain<IHouseholdClaimsGrain>(village).RemoveAsync(residentKey);
                return Refusals.Conflict("The person has registered for themselves since; there is no claim left to decide.", "claim.gone");
            }
            return Results.Ok(decided);
        });
}
