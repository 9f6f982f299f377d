using System.Security.Claims;
using Sanmenxia.Api.Checkpoints;
using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.Checkpoints;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Endpoints;

/// <summary>
/// CSV exports of the registers with exactly the columns their imports accept, so a register moves to a spreadsheet or
/// another instance and back without loss (docs/data-governance.md, "Export and interop"); and the daily figures within
/// jurisdiction. Every cell is written by <see cref="CsvExport"/> (formula-safe). The residents' interop export carries
/// clear ID numbers and phones, as the import needs them: administrators only, one village at a time, audited.
/// </summary>
public static partial class InteropExportEndpoints
{
    public static IEndpointRouteBuilder MapInteropExportEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Export").RequireAuthorization(Policies.Admin);
        admin.MapGet("/regions/export", ExportRegions);
        admin.MapGet("/checkpoints/export", ExportCheckpoints);
        admin.MapGet("/villages/{code}/residents/interop-export", ExportResidents);
        app.MapGet("/api/regions/{code}/history/export", ExportHistory).WithTags("Export").RequireAuthorization(Policies.Commander);
        return app;
    }

    /// <summary>code,name,pinyin,population (RegionCsv), parents before children, within the caller's jurisdiction.</summary>
    private static async Task<IResult> ExportRegions(ClaimsPrincipal user, IGrainFactory grains)
    {
        var caller = Caller.From(user);
        var all = await grains.GetGrain<IRegionDirectoryGrain>(0).GetAllAsync();
        var csv = new CsvExport(RegionCsv.Columns.Header);
        foreach (var r in all.Where(r => caller.Covers(r.Code)).OrderBy(r => r.Level).ThenBy(r => r.Code.Value, StringComparer.Ordinal))
            csv.Row(r.Code.Value, r.Name, r.Pinyin, r.Population);
        return csv.ToFile("regions.csv");
    }

    /// <summary>id,name,region_code,policy (CheckpointCsv), by id, within the caller's jurisdiction.</summary>
    private static async Task<IResult> ExportCheckpoints(ClaimsPrincipal user, IGrainFactory grains)
    {
        var caller = Caller.From(user);
        var directory = grains.GetGrain<ICheckpointDirectoryGrain>(0);
        var entries = new List<CheckpointEntry>();
        for (var skip = 0; ; skip += 1_000)
        {
            var page = await directory.ListAsync(null, skip, 1_000);
            entries.AddRange(page.Where(e => RegionCode.TryParse(e.RegionCode, out var region, out _) && caller.Covers(region)));
            if (page.Count < 1_000) break;
        }
        var infos = new List<CheckpointInfo>();
        foreach (var chunk in entries.OrderBy(e => e.Id, StringComparer.Ordinal).Chunk(32))
            infos.AddRange((await Task.WhenAll(chunk.Select(e => grains.GetGrain<ICheckpointGrain>(e.Id).GetInfoAsync()))).OfType<CheckpointInfo>());
        var csv = new CsvExport(CheckpointCsv.Columns.Header);
        foreach (var c in infos) csv.Row(c.Id, c.Name, c.RegionCode.Value, c.Policy.ToString());
        return csv.ToFile("checkpoints.csv");
    }

    /// <summary>region_code,day and the day's counts, oldest first: the daily history within jurisdiction.</summary>
    private static async Task<IResult> ExportHistory(string code, ClaimsPrincipal user, RegionCatalog regions, IRegionHistory history,
        DomainCalendar calendar, int days = 30)
    {
        if (!RegionCode.TryParse(code, out var region, out var error)) return Refusals.Field("code", error);
        if (days is < 1 or > 366) return Refusals.Field("days", "must be between 1 and 366");
        if (await regions.FindAsync(region.Value) is null) return Refusals.NotFound($"Unknown region {region.Value}.");
        if (!Caller.From(user).Covers(region)) return Refusals.Forbidden($"Region {region.Value} is outside your jurisdiction.");
        var today = calendar.Today;
        var rows = await history.ReadAsync(region.Value, today.AddDays(1 - days), today);
        var csv = new CsvExport(["region_code", "day", .. CountColumns.Select(c => c.Name)]);
        foreach (var row in rows.OrderBy(r => r.Day))
            csv.Row([region.Value, row.Day.ToString("yyyy-MM-dd"), .. CountColumns.Select(c => (object?)c.Get(row.Counts))]);
        return csv.ToFile($"history-{region.Value}.csv");
    }

    private static readonly (string Name, Func<RegionCounts, int> Get)[] CountColumns =
    [
        ("residents", c => c.Residents), ("applied", c => c.Applied), ("green", c => c.Green), ("yellow", c => c.Yellow), ("red", c => c.Red),
        ("clocked_in_today", c => c.ClockedInToday), ("fever", c => c.Fever), ("isolated", c => c.Isolated), ("open_needs", c => c.OpenNeeds),
        ("from_outside_city", c => c.FromOutsideCity), ("from_hubei", c => c.FromHubei), ("from_wuhan", c => c.FromWuhan),
        ("close_contacts", c => c.CloseContacts), ("fever_no_exposure", c => c.FeverNoExposure),
    ];
}
