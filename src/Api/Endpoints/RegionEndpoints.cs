using System.Security.Claims;
using Sanmenxia.Api.Csv;
using RegionInfo = Sanmenxia.Regions.RegionInfo;
using Microsoft.AspNetCore.Mvc;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Endpoints;

public sealed record RegionDto(string Code, string Name, string Pinyin, string Level, string? ParentCode, int Population)
{
    public static RegionDto From(RegionInfo r) => new(r.Code.Value, r.Name, r.Pinyin, r.Level.ToString(), r.ParentCode?.Value, r.Population);
}
public sealed record GenerateRegionsRequest(int? Seed, int? Villages);
public sealed record RegionImportReport(int Rows, int Loaded, IReadOnlyList<ImportLineError> Errors);

public static class RegionEndpoints
{
    public static IEndpointRouteBuilder MapRegionEndpoints(this IEndpointRouteBuilder app)
    {
        // Region names and codes are public information: the registration form needs them before sign-in.
        var regions = app.MapGroup("/api/regions").WithTags("Regions").AllowAnonymous();
        regions.MapGet("/", ListChildren);
        regions.MapGet("/{code}", GetRegion);

        var admin = app.MapGroup("/api/admin/regions").WithTags("Regions").RequireAuthorization(Policies.Admin);
        admin.MapPost("/generate", Generate);
        admin.MapPost("/import", Import).Accepts<string>("text/csv").WithMetadata(new RequestSizeLimitAttribute(16 * 1024 * 1024));
        return app;
    }

    private static async Task<IResult> ListChildren(RegionCatalog catalog, string? parent)
    {
        parent ??= SanmenxiaRegions.CityCode.Value;
        if (!RegionCode.TryParse(parent, out _, out var error)) return Refusals.Field("parent", error);
        var children = await catalog.ChildrenAsync(parent);
        return Results.Ok(children.Select(RegionDto.From));
    }

    private static async Task<IResult> GetRegion(string code, RegionCatalog catalog, IGrainFactory grains)
    {
        if (!RegionCode.TryParse(code, out var region, out var error)) return Refusals.Field("code", error);
        var info = await catalog.FindAsync(region.Value);
        return info is null ? Refusals.NotFound($"Unknown region {code}.") : Results.Ok(RegionDto.From(info));
    }

    private static async Task<IResult> Generate(GenerateRegionsRequest? body, IGrainFactory grains, RegionCatalog catalog, AuditTrail audit, ClaimsPrincipal user, CancellationToken ct)
    {
        var villages = body?.Villages ?? SanmenxiaRegions.DefaultTargetVillages;
        if (villages is < 6 or > 20_000) return Refusals.Field("villages", "must be between 6 and 20000");
        await audit.RecordAsync(user, "regions.generate", null, null, $"seed={body?.Seed ?? SanmenxiaRegions.DefaultSeed} villages={villages}", ct);
        var tree = SanmenxiaRegions.GenerateSyntheticTree(body?.Seed ?? SanmenxiaRegions.DefaultSeed, villages);
        var loaded = await RegionLoader.LoadAsync(grains, tree, ct);
        await catalog.RefreshAsync(force: true);
        return Results.Ok(new RegionImportReport(tree.Count, loaded, []));
    }

    /// <summary>
    /// Loads a real tree from CSV: "code,name[,pinyin][,population]". Codes give the level and parent; a
    /// parent must be in the file or already known. Bad rows are reported by line; good rows are loaded.
    /// </summary>
    private static async Task<IResult> Import(HttpRequest request, IGrainFactory grains, RegionCatalog catalog, AuditTrail audit, ClaimsPrincipal user, CancellationToken ct)
    {
        await audit.RecordAsync(user, "regions.import", null, null, $"{request.ContentLength ?? 0} bytes", ct);
        using var csv = await CsvImport.OpenAsync(request, RegionCsv.Columns);
        if (csv.Refusal is { } refusal) return refusal;
        var rows = new List<RegionRow>();
        await foreach (var line in csv.RowsAsync())
            if (RegionCsv.Map(line, csv) is { } row) rows.Add(row);

        var known = rows.Select(r => r.Code.Value).ToHashSet(StringComparer.Ordinal);
        var regions = new List<RegionInfo>();
        foreach (var row in rows)
        {
            if (!row.Code.IsWithin(SanmenxiaRegions.CityCode)) { csv.Fail(row.Line, "code", "is not within Sanmenxia (411200)"); continue; }
            if (row.Code.Parent is { } parent && !known.Contains(parent.Value) && await catalog.FindAsync(parent.Value) is null)
            { csv.Fail(row.Line, "code", $"parent region {parent.Value} is neither in the file nor known"); continue; }
            regions.Add(new RegionInfo(row.Code, row.Name, row.Pinyin, row.Code.Level, row.Code.Parent, row.Population));
        }
        if (regions.Count > 0) await RegionLoader.LoadAsync(grains, regions, ct);
        await catalog.RefreshAsync(force: true);
        return Results.Ok(new RegionImportReport(csv.Rows, regions.Count, csv.ErrorsByLine()));
    }
}
