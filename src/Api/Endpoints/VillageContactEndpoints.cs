using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Regions;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

public sealed record VillageContactRequest(string? DutyPhone);
public sealed record VillageContactResponse(string VillageCode, string? DutyPhone, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>
/// A village's public duty phone (issue 17): an office number residents with a red or yellow code are told to call, shown
/// with their code. Read by the staff who may see the village; set (or cleared with an empty value) by that village's staff
/// or an administrator, audited as a change.
/// </summary>
public static class VillageContactEndpoints
{
    public static IEndpointRouteBuilder MapVillageContactEndpoints(this IEndpointRouteBuilder app)
    {
        var village = app.MapGroup("/api/villages/{code}/contact").WithTags("Villages").RequireAuthorization(Policies.Village);
        village.MapGet("/", Get);
        village.MapPut("/", Set);
        return app;
    }

    private static Task<IResult> Get(string code, ClaimsPrincipal user, RegionCatalog regions, VillageContacts contacts) =>
        VillageEndpoints.InJurisdiction(code, user, regions, async info => Results.Ok(Response(info.Code.Value, await contacts.FindAsync(info.Code.Value))));

    private static Task<IResult> Set(string code, VillageContactRequest body, ClaimsPrincipal user, RegionCatalog regions, VillageContacts contacts,
        AuditTrail audit, TimeProvider clock) =>
        VillageEndpoints.InJurisdiction(code, user, regions, async info =>
        {
            var caller = Caller.From(user);
            if (caller.Role is not (Roles.VillageStaff or Roles.Admin))
                return Refusals.Forbidden("Only the village's staff or an administrator sets its duty phone.");
            var phone = string.Empty;
            if (!string.IsNullOrWhiteSpace(body.DutyPhone) && !DutyPhone.TryParse(body.DutyPhone, out phone, out var error))
                return Refusals.Field("dutyPhone", error!);
            var contact = new VillageContact(info.Code.Value, phone, clock.GetUtcNow(), caller.Subject);
            // An office number, not personal data: the trail may carry it, so a change can be traced to who made it.
            await audit.RecordAsync(user, "village.contact.set", null, info.Code.Value, phone.Length == 0 ? "cleared" : $"dutyPhone={phone}");
            await contacts.SetAsync(contact);
            return Results.Ok(Response(info.Code.Value, phone.Length == 0 ? null : contact));
        });

    private static VillageContactResponse Response(string village, VillageContact? contact) =>
        new(village, contact?.DutyPhone, contact?.UpdatedAt, contact?.UpdatedBy);
}
