using System.Globalization;
using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

/// <summary>Opens a break-the-glass grant: the ID number (or the resident key) in the body, never the URL, and a reason.</summary>
public sealed record BreakGlassRequest(string? IdNumber, string? ResidentKey, string? Reason);

public sealed record BreakGlassResponse(string ResidentKey, string VillageCode, string MaskedName, DateTimeOffset OpenedAt, DateTimeOffset Until);

/// <summary>
/// Break-the-glass (issue 19, item 3): a staff member who must read a resident outside their jurisdiction in an emergency
/// states why; the grant covers that resident only, lasts <see cref="BreakGlassOptions.Window"/> on the domain clock, and
/// it and every read under it are on the audit trail under break-glass actions, which the audit reader lists on their own.
/// </summary>
public static class BreakGlassEndpoints
{
    public static IEndpointRouteBuilder MapBreakGlassEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/break-glass", Open).WithTags("Break-the-glass").RequireAuthorization(Policies.Village).WithoutRejectionRetry();
        return app;
    }

    private static async Task<IResult> Open(BreakGlassRequest body, ClaimsPrincipal user, IGrainFactory grains, PseudonymousKeys keys,
        DomainCalendar calendar, BreakGlassAccess access, AuditTrail audit)
    {
        var errors = new FieldErrors();
        var reason = body.Reason?.Trim();
        var minimum = access.Options.MinReasonLength;
        if (string.IsNullOrEmpty(reason) || reason.Length < minimum)
            errors.Add("reason", $"is required: why you must open this resident outside your jurisdiction, at least {minimum} characters");
        else if (reason.Length > 500) errors.Add("reason", "must be at most 500 characters");
        string? residentKey = null;
        if ((body.IdNumber is null) == (body.ResidentKey is null))
            errors.Add("idNumber", "give the resident's ID number or their residentKey (exactly one)");
        else if (body.IdNumber is not null)
        {
            if (ResidentIdNumber.TryParse(body.IdNumber, calendar.Today, out var id, out var idError)) residentKey = keys.ForIdNumber(id.Value);
            else errors.Add("idNumber", idError ?? "is not a valid ID number");
        }
        else if (body.ResidentKey is { Length: > 0 and <= 64 } key) residentKey = key;
        else errors.Add("residentKey", "must be 1..64 characters");
        if (errors.Any) return Refusals.Fields(errors);

        var profile = await grains.GetGrain<IResidentGrain>(residentKey!).GetProfileAsync();
        if (profile is null || !RegionCode.TryParse(profile.VillageCode, out var village)) return Refusals.NotFound("No such resident.");
        var caller = Caller.From(user);
        if (caller.Covers(village))
            return Refusals.Unprocessable("Not needed", "The resident lives within your jurisdiction: read them as usual.", "break-glass.not-needed");

        var now = calendar.Now;
        var grant = new BreakGlassGrant(residentKey!, reason!, now, now + access.Options.Window);
        // Audited before it is granted: an audit that fails means no grant.
        await audit.RecordAsync(user, AuditActions.BreakGlassOpen, residentKey, profile.VillageCode,
            $"until={grant.Until.ToString("O", CultureInfo.InvariantCulture)}; reason={reason}");
        await grains.GetGrain<IBreakGlassGrain>(caller.Subject).OpenAsync(grant, now);
        return Results.Created((string?)null, new BreakGlassResponse(residentKey!, profile.VillageCode, NameMasking.Mask(profile.Name),
            grant.OpenedAt, grant.Until));
    }
}
