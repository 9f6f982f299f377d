using System.Security.Claims;
using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Retention;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Endpoints;

public static partial class InteropExportEndpoints
{
    /// <summary>
    /// household,name,id_number,phone,village_code,head (ResidentCsv) for one village. The household column is the file's own
    /// reference, so it is numbered 1, 2, … in the order of each household's smallest ID number: the same records give the
    /// same file in any instance (household ids differ between instances; the import makes its own). Provisional members
    /// (a head's claim the village has not confirmed) are left out: an import would make them confirmed records.
    /// </summary>
    private static async Task<IResult> ExportResidents(string code, ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit)
    {
        if (!RegionCode.TryParse(code, out var village, out var error)) return Refusals.Field("code", error);
        if (village.Level != RegionLevel.Village) return Refusals.Field("code", "must be a village code");
        if (!Caller.From(user).Covers(village)) return Refusals.Forbidden($"Village {village.Value} is outside your jurisdiction.");
        var villageGrain = grains.GetGrain<IVillageGrain>(village.Value);
        var keys = new List<string>();
        for (var skip = 0; ; skip += 500)
        {
            var page = await villageGrain.ListResidentsAsync(new VillageResidentFilter(), skip, 500);
            keys.AddRange(page.Items.Select(r => r.ResidentKey));
            if (page.Items.Count < 500) break;
        }
        var records = new List<(string Key, ResidentRecordRow Row)>();
        foreach (var chunk in keys.Chunk(32))
        {
            var rows = await Task.WhenAll(chunk.Select(async k => (k, await grains.GetGrain<IResidentGrain>(k).GetRecordRowAsync())));
            records.AddRange(rows.Where(r => r.Item2 is { Provisional: false }).Select(r => (r.k, r.Item2!)));
        }
        var heads = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var householdId in records.Select(r => r.Row.HouseholdId).Distinct())
            heads[householdId] = (await grains.GetGrain<IHouseholdGrain>(householdId).GetAsync())?.HeadResidentKey;
        await audit.RecordAsync(user, "village.residents.interop-export", null, village.Value, $"rows={records.Count}");
        var csv = new CsvExport(ResidentCsv.Columns.Header);
        var households = records.GroupBy(r => r.Row.HouseholdId).OrderBy(h => h.Min(r => r.Row.IdNumber), StringComparer.Ordinal).ToList();
        for (var i = 0; i < households.Count; i++)
            foreach (var (key, row) in households[i].OrderByDescending(r => heads[r.Row.HouseholdId] == r.Key).ThenBy(r => r.Row.IdNumber, StringComparer.Ordinal))
                csv.Row((i + 1).ToString(), row.Name, row.IdNumber, row.Phone ?? "", row.VillageCode, heads[row.HouseholdId] == key ? "true" : "false");
        return csv.ToFile($"residents-{village.Value}.csv");
    }
}
