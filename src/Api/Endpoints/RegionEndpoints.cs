using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
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
public sealed record ImportLineError(int Line, string Field, string Reason);
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

    private static async Task<IResult> Generate(GenerateRegionsRequest? body, IGrainFactory grains, RegionCatalog catalog, CancellationToken ct)
    {
        var villages = body?.Villages ?? SanmenxiaRegions.DefaultTargetVillages;
        if (villages is < 6 or > 20_000) return Refusals.Field("villages", "must be between 6 and 20000");
        var tree = SanmenxiaRegions.GenerateSyntheticTree(body?.Seed ?? SanmenxiaRegions.DefaultSeed, villages);
        var loaded = await RegionLoader.LoadAsync(grains, tree, ct);
        await catalog.RefreshAsync(force: true);
        return Results.Ok(new RegionImportReport(tree.Count, loaded, []));
    }

    /// <summary>
    /// Loads a real tree from CSV: "code,name[,pinyin][,population]". Codes give the level and parent; a
    /// parent must be in the file or already known. Bad rows are reported by line; good rows are loaded.
    /// </summary>
    private static async Task<IResult> Import(HttpRequest request, IGrainFactory grains, RegionCatalog catalog, CancellationToken ct)
    {
        var errors = new List<ImportLineError>();
        var rows = new List<(int Line, RegionCode Code, string Name, string Pinyin, int Population)>();
        using (var reader = new StreamReader(request.Body))
        using (var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = true, MissingFieldFound = null, BadDataFound = null }))
        {
            // An empty (or byte-order-mark only) file has no header to read: refused as the other imports refuse it.
            if (!await csv.ReadAsync() || !csv.ReadHeader())
                return Refusals.Field("file", "is empty: expected a header code,name[,pinyin][,population]");
            var missing = new[] { "code", "name" }.Where(h => !csv.HeaderRecord!.Contains(h)).ToList();
            if (missing.Count > 0) return Refusals.Field("file", $"header lacks column(s): {string.Join(", ", missing)}");
            while (await csv.ReadAsync())
            {
                var line = csv.Parser.RawRow;
                var codeText = csv.GetField("code");
                var name = csv.GetField("name")?.Trim();
                if (!RegionCode.TryParse(codeText, out var code, out var error)) { errors.Add(new(line, "code", error)); continue; }
                if (string.IsNullOrWhiteSpace(name) || name.Length > 64) { errors.Add(new(line, "name", "is required (at most 64 characters)")); continue; }
                var populationText = csv.GetField("population");
                var population = 0;
                if (!string.IsNullOrEmpty(populationText) && (!int.TryParse(populationText, out population) || population < 0))
                { errors.Add(new(line, "population", "must be a whole number ≥ 0")); continue; }
                rows.Add((line, code, name, csv.GetField("pinyin") ?? "", population));
            }
        }

        var known = rows.Select(r => r.Code.Value).ToHashSet(StringComparer.Ordinal);
        var regions = new List<RegionInfo>();
        foreach (var row in rows)
        {
            if (!row.Code.IsWithin(SanmenxiaRegions.CityCode)) { errors.Add(new(row.Line, "code", "is not within Sanmenxia (411200)")); continue; }
            if (row.Code.Parent is { } parent && !known.Contains(parent.Value) && await catalog.FindAsync(parent.Value) is null)
            { errors.Add(new(row.Line, "code", $"parent region {parent.Value} is neither in the file nor known")); continue; }
            regions.Add(new RegionInfo(row.Code, row.Name, row.Pinyin, row.Code.Level, row.Code.Parent, row.Population));
        }
        if (regions.Count > 0) await RegionLoader.LoadAsync(grains, regions, ct);
        await catalog.RefreshAsync(force: true);
        return Results.Ok(new RegionImportReport(rows.Count + errors.Count(e => !rows.Any(r => r.Line == e.Line)), regions.Count, errors.OrderBy(e => e.Line).ToList()));
    }
}
