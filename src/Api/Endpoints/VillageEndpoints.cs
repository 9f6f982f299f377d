using Sanmenxia.Platform.Time;
using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.HealthCode;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Endpoints;

public sealed record HandleNeedRequest(string? Note);
public sealed record ClearFeverRequest(string? Note);

/// <summary>Village staff (and commanders above them) work on the residents of their jurisdiction.</summary>
public static class VillageEndpoints
{
    public static IEndpointRouteBuilder MapVillageEndpoints(this IEndpointRouteBuilder app)
    {
        var villages = app.MapGroup("/api/villages/{code}").WithTags("Villages").RequireAuthorization(Policies.Village);
        villages.MapGet("/counts", Counts);
        villages.MapGet("/residents", ListResidents);
        villages.MapGet("/residents/{residentKey}", ResidentDetail);
        villages.MapPost("/residents/{residentKey}/needs/{needId}/handled", HandleNeed);
        villages.MapPost("/residents/{residentKey}/clear-fever", ClearFever);

        var regions = app.MapGroup("/api/regions/{code}").WithTags("Regions").RequireAuthorization(Policies.AnyStaff);
        regions.MapGet("/counts", RegionCountsFor);
        regions.MapGet("/history", History);
        return app;
    }

    /// <summary>The village must exist and lie within the caller's jurisdiction.</summary>
    internal static async Task<IResult> InJurisdiction(string code, ClaimsPrincipal user, RegionCatalog regions, Func<RegionInfo, Task<IResult>> action)
    {
        if (!RegionCode.TryParse(code, out var region, out var error)) return Refusals.Field("code", error);
        if (region.Level != RegionLevel.Village) return Refusals.Field("code", "must be a 12-digit village or community code");
        var info = await regions.FindAsync(region.Value);
        if (info is null) return Refusals.NotFound($"Unknown village {region.Value}.");
        if (!Caller.From(user).Covers(region)) return Refusals.Forbidden($"Village {region.Value} is outside your jurisdiction.");
        return await action(info);
    }

    private static Task<IResult> Counts(string code, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains) =>
        InJurisdiction(code, user, regions, async info => Results.Ok(await grains.GetGrain<IVillageGrain>(info.Code.Value).GetCountsAsync()));

    private static Task<IResult> ListResidents(string code, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains, AuditTrail audit,
        string? colour, bool? fever, bool? isolated, bool? openNeeds, string? keyPerson, bool? clockedInToday, int skip = 0, int take = 50) =>
        InJurisdiction(code, user, regions, async info =>
        {
            var errors = new FieldErrors();
            CodeColour? colourFilter = null;
            if (colour is not null)
            {
                if (Enum.TryParse<CodeColour>(colour, ignoreCase: true, out var c) && Enum.IsDefined(c)) colourFilter = c;
                else errors.Add("colour", "must be one of: None, Green, Yellow, Red");
            }
            KeyPersonFlags? keyPersonFilter = null;
            if (keyPerson is not null)
            {
                if (Enum.TryParse<KeyPersonFlags>(keyPerson, ignoreCase: true, out var k) && k != KeyPersonFlags.None && Enum.IsDefined(k)) keyPersonFilter = k;
                else errors.Add("keyPerson", "must be one of: FromOutsideCity, FromHubei, FromWuhan, CloseContact, FeverNoExposure");
            }
            if (skip < 0) errors.Add("skip", "must not be negative");
            if (take is < 1 or > 500) errors.Add("take", "must be between 1 and 500");
            if (errors.Any) return Refusals.Fields(errors);

            var filter = new VillageResidentFilter(colourFilter, fever, isolated, openNeeds, keyPersonFilter, clockedInToday);
            await audit.RecordAsync(user, "village.residents.list", null, info.Code.Value, $"filter={filter}; skip={skip}; take={take}");
            return Results.Ok(await grains.GetGrain<IVillageGrain>(info.Code.Value).ListResidentsAsync(filter, skip, take));
        });

    /// <summary>One resident: within the caller's jurisdiction, or outside it under the caller's break-the-glass grant for them.</summary>
    private static async Task<IResult> ResidentDetail(string code, string residentKey, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains,
        AuditTrail audit, BreakGlassAccess breakGlass)
    {
        if (!RegionCode.TryParse(code, out var region, out var error)) return Refusals.Field("code", error);
        if (region.Level != RegionLevel.Village) return Refusals.Field("code", "must be a 12-digit village or community code");
        if (await regions.FindAsync(region.Value) is null) return Refusals.NotFound($"Unknown village {region.Value}.");
        var access = await breakGlass.ForResidentAsync(user, region, residentKey);
        if (access == ResidentAccess.Refused) return Refusals.Forbidden($"Village {region.Value} is outside your jurisdiction.");
        if (!await grains.GetGrain<IVillageGrain>(region.Value).HasResidentAsync(residentKey))
            return Refusals.NotFound("No such resident in this village.");
        await audit.RecordAsync(user, BreakGlassAccess.ActionFor(access, "resident.read", Sanmenxia.Platform.Stores.AuditActions.BreakGlassResidentRead),
            residentKey, region.Value);
        return Results.Ok(await grains.GetGrain<IResidentGrain>(residentKey).GetOverviewAsync());
    }

    private static Task<IResult> HandleNeed(string code, string residentKey, string needId, HandleNeedRequest? body, ClaimsPrincipal user,
        RegionCatalog regions, IGrainFactory grains, AuditTrail audit) =>
        InJurisdiction(code, user, regions, async info =>
        {
            if (body?.Note is { Length: > 500 }) return Refusals.Field("note", "must be at most 500 characters");
            if (!await grains.GetGrain<IVillageGrain>(info.Code.Value).HasResidentAsync(residentKey))
                return Refusals.NotFound("No such resident in this village.");
            var caller = Caller.From(user);
            await audit.RecordAsync(user, "resident.need.handled", residentKey, info.Code.Value, needId);
            var need = await grains.GetGrain<IResidentGrain>(residentKey).HandleNeedAsync(needId, Actor.Staff(caller.Subject, caller.Role), body?.Note?.Trim());
            return need is null ? Refusals.NotFound("No such need.") : Results.Ok(need);
        });

    private static Task<IResult> ClearFever(string code, string residentKey, ClearFeverRequest body, ClaimsPrincipal user,
        RegionCatalog regions, IGrainFactory grains, AuditTrail audit) =>
        InJurisdiction(code, user, regions, async info =>
        {
            if (string.IsNullOrWhiteSpace(body.Note) || body.Note.Length > 500) return Refusals.Field("note", "is required (what was checked), at most 500 characters");
            if (!await grains.GetGrain<IVillageGrain>(info.Code.Value).HasResidentAsync(residentKey))
                return Refusals.NotFound("No such resident in this village.");
            var caller = Caller.From(user);
            await audit.RecordAsync(user, "resident.fever.cleared", residentKey, info.Code.Value, body.Note);
            var result = await grains.GetGrain<IResidentGrain>(residentKey).ClearFeverAsync(Actor.Staff(caller.Subject, caller.Role), body.Note.Trim());
            return result.Accepted ? Results.Ok(result.Code)
                : Refusals.Unprocessable("Nothing to clear", string.Join("; ", result.Refusal));
        });

    /// <summary>The region's daily rows (one per day, the last value of each day) for trend charts.</summary>
    private static async Task<IResult> History(string code, ClaimsPrincipal user, RegionCatalog regions, Sanmenxia.Platform.Stores.IRegionHistory history,
        DomainCalendar calendar, int days = 30)
    {
        if (!RegionCode.TryParse(code, out var region, out var error)) return Refusals.Field("code", error);
        if (days is < 1 or > 366) return Refusals.Field("days", "must be between 1 and 366");
        if (await regions.FindAsync(region.Value) is null) return Refusals.NotFound($"Unknown region {region.Value}.");
        if (!Caller.From(user).Covers(region)) return Refusals.Forbidden($"Region {region.Value} is outside your jurisdiction.");
        var today = calendar.Today;
        return Results.Ok(await history.ReadAsync(region.Value, today.AddDays(1 - days), today));
    }

    private static async Task<IResult> RegionCountsFor(string code, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains)
    {
        if (!RegionCode.TryParse(code, out var region, out var error)) return Refusals.Field("code", error);
        if (await regions.FindAsync(region.Value) is null) return Refusals.NotFound($"Unknown region {region.Value}.");
        if (!Caller.From(user).Covers(region)) return Refusals.Forbidden($"Region {region.Value} is outside your jurisdiction.");
        if (region.Level == RegionLevel.Village)
            return Results.Ok(new { code = region.Value, counts = await grains.GetGrain<IVillageGrain>(region.Value).GetCountsAsync(), children = Array.Empty<ChildCounts>() });
        var grain = grains.GetGrain<IRegionGrain>(region.Value);
        return Results.Ok(new { code = region.Value, counts = await grain.GetCountsAsync(), children = await grain.GetChildrenAsync() });
    }
}
