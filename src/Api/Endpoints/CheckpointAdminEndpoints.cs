using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Sanmenxia.Api.Checkpoints;
using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Checkpoints;
using Sanmenxia.Regions;

namespace Sanmenxia.Api.Endpoints;

public sealed record CreateCheckpointRequest(string? Id, string? Name, string? RegionCode, PolicyDto? Policy, IReadOnlyList<string>? Staff);
public sealed record GenerateCheckpointsRequest(int? Target);
public sealed record AssignStaffRequest(string? Username);
public sealed record CheckpointImportReport(int Rows, int Created, int Updated, int Unchanged, IReadOnlyList<ImportLineError> Errors);
public sealed record CheckpointGenerateReport(int Regions, int Checkpoints, int Created, int Unchanged, int Updated);

/// <summary>Administrators define checkpoints: one at a time, from CSV, or generated over the region tree; and assign staff.</summary>
public static class CheckpointAdminEndpoints
{
    public static IEndpointRouteBuilder MapCheckpointAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/checkpoints").WithTags("Checkpoints").RequireAuthorization(Policies.Admin);
        // Idempotent, but a re-run would report what the first run created as unchanged (200 instead of 201, wrong counts).
        admin.MapPost("/", Create).WithoutRejectionRetry();
        admin.MapPost("/import", Import).Accepts<string>("text/csv").WithMetadata(new RequestSizeLimitAttribute(16 * 1024 * 1024)).WithoutRejectionRetry();
        admin.MapPost("/generate", Generate).WithoutRejectionRetry();
        admin.MapPost("/{id}/staff", AssignStaff);
        return app;
    }

    private static async Task<IResult> Create(CreateCheckpointRequest body, IGrainFactory grains, RegionCatalog regions, AuditTrail audit, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        var id = body.Id?.Trim().ToLowerInvariant();
        if (!CheckpointRules.IsValidId(id)) errors.Add("id", "must look like cp-411202001-0001 (lower-case letters, digits and '-', starting with cp-)");
        errors.Require("name", body.Name, 64);
        var region = await CheckRegionAsync(body.RegionCode, regions, errors, "regionCode");
        var policy = ParsePolicy(body.Policy, errors);
        if (body.Staff?.Any(s => s is null) == true) errors.Add("staff", "must list usernames (no null entries)");
        var staffNames = (body.Staff ?? []).OfType<string>().Select(s => s.Trim().ToLowerInvariant()).Where(s => s.Length > 0).Distinct().ToList();
        if (staffNames.Any(s => s.Length > 64)) errors.Add("staff", "usernames are at most 64 characters");
        if (errors.Any) return Refusals.Fields(errors);

        var info = new CheckpointInfo(id!, body.Name!.Trim(), region!.Value, region.Value.Level, policy, staffNames);
        // Audited before it is done, like staff management: an audit that fails means nothing was defined.
        await audit.RecordAsync(user, "checkpoint.define", null, region.Value.Value, id);
        var outcome = (await DefineAllAsync(grains, [info]))[0];
        return outcome == CheckpointDefineOutcome.Created
            ? Results.Created($"/api/checkpoints/{id}", CheckpointDto.From(info))
            : Results.Ok(CheckpointDto.From(info));
    }

    /// <summary>Columns: id,name,region_code[,policy] with policy like "red=refuse;yellow=check". Bad rows are reported by line; good rows are kept.</summary>
    private static async Task<IResult> Import(HttpRequest request, IGrainFactory grains, RegionCatalog regions, AuditTrail audit, ClaimsPrincipal user)
    {
        await audit.RecordAsync(user, "checkpoint.import", null, null, $"{request.ContentLength ?? 0} bytes");
        using var csv = await CsvImport.OpenAsync(request, CheckpointCsv.Columns);
        if (csv.Refusal is { } refusal) return refusal;
        var mapping = new CheckpointCsv(regions);
        var rows = new List<CheckpointInfo>();
        await foreach (var line in csv.RowsAsync())
            if (await mapping.MapAsync(line, csv) is { } row) rows.Add(row);
        var outcomes = await DefineAllAsync(grains, rows);
        return Results.Ok(new CheckpointImportReport(csv.Rows, outcomes.Count(o => o == CheckpointDefineOutcome.Created),
            outcomes.Count(o => o == CheckpointDefineOutcome.Updated), outcomes.Count(o => o == CheckpointDefineOutcome.Unchanged),
            csv.ErrorsByLine()));
    }

    /// <summary>Checkpoints over the loaded region tree (deterministic: 4,136 for the 2,700-village synthetic tree).</summary>
    private static async Task<IResult> Generate(GenerateCheckpointsRequest? body, IGrainFactory grains, RegionCatalog regions, AuditTrail audit, ClaimsPrincipal user)
    {
        if (body?.Target is < 1 or > 50_000) return Refusals.Field("target", "must be between 1 and 50000");
        await audit.RecordAsync(user, "checkpoint.generate", null, null, body?.Target is { } target ? $"target={target}" : null);
        await regions.RefreshAsync(force: true);
        var tree = await grains.GetGrain<Sanmenxia.Villages.IRegionDirectoryGrain>(0).GetAllAsync();
        if (tree.Count == 0) return Refusals.Unprocessable("No regions", "Load or generate the region tree first (POST /api/admin/regions/generate).");
        var plan = CheckpointPlan.Generate(tree, body?.Target);
        var infos = plan.Select(p => new CheckpointInfo(p.Id, p.Name, p.Region, p.Region.Level, CheckpointPolicy.Default, [])).ToList();
        var outcomes = await DefineAllAsync(grains, infos);
        return Results.Ok(new CheckpointGenerateReport(tree.Count, infos.Count, outcomes.Count(o => o == CheckpointDefineOutcome.Created),
            outcomes.Count(o => o == CheckpointDefineOutcome.Unchanged), outcomes.Count(o => o == CheckpointDefineOutcome.Updated)));
    }

    private static async Task<IResult> AssignStaff(string id, AssignStaffRequest body, IGrainFactory grains, AuditTrail audit, ClaimsPrincipal user)
    {
        var username = body.Username?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(username) || username.Length > 64) return Refusals.Field("username", "is required (at most 64 characters)");
        if (await grains.GetGrain<Sanmenxia.Staff.IStaffAccountGrain>(username).GetAsync() is null) return Refusals.NotFound($"No staff account '{username}'.");
        if (!CheckpointRules.IsValidId(id)) return Refusals.NotFound($"Unknown checkpoint {id}.");
        await audit.RecordAsync(user, "checkpoint.staff.assign", null, null, $"{id} {username}");
        var info = await grains.GetGrain<ICheckpointGrain>(id).AddStaffAsync(username);
        return info is null ? Refusals.NotFound($"Unknown checkpoint {id}.") : Results.Ok(CheckpointDto.From(info));
    }

    /// <summary>The directory first (so a region finds the checkpoint after any restart), then each grain.</summary>
    private static async Task<IReadOnlyList<CheckpointDefineOutcome>> DefineAllAsync(IGrainFactory grains, IReadOnlyList<CheckpointInfo> infos)
    {
        var directory = grains.GetGrain<ICheckpointDirectoryGrain>(0);
        foreach (var chunk in infos.Chunk(5_000))
            await directory.AddAsync(chunk.Select(i => new CheckpointEntry(i.Id, i.Name, i.RegionCode.Value, CheckpointRules.ReportTarget(i.RegionCode).Value)).ToList());
        var outcomes = new CheckpointDefineOutcome[infos.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, infos.Count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            outcomes[i] = await grains.GetGrain<ICheckpointGrain>(infos[i].Id).DefineAsync(infos[i]));
        return outcomes;
    }

    private static async Task<RegionCode?> CheckRegionAsync(string? text, RegionCatalog regions, FieldErrors errors, string field)
    {
        if (!RegionCode.TryParse(text, out var region, out var error)) { errors.Add(field, error); return null; }
        if (await regions.FindAsync(region.Value) is null) { errors.Add(field, $"unknown region {region.Value}"); return null; }
        return region;
    }

    private static CheckpointPolicy ParsePolicy(PolicyDto? dto, FieldErrors errors)
    {
        if (dto is null) return CheckpointPolicy.Default;
        ColourAction Parse(string? text, ColourAction fallback, string field)
        {
            if (text is null) return fallback;
            if (Enum.TryParse<ColourAction>(text, ignoreCase: true, out var a) && Enum.IsDefined(a)) return a;
            errors.Add(field, "must be one of: Allow, Check, Refuse");
            return fallback;
        }
        return new CheckpointPolicy
        {
            Red = Parse(dto.Red, ColourAction.Refuse, "policy.red"),
            Yellow = Parse(dto.Yellow, ColourAction.Check, "policy.yellow"),
            NoCode = Parse(dto.None, ColourAction.Check, "policy.none"),
        };
    }
}
