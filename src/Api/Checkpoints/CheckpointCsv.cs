using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Regions;
using Sanmenxia.Checkpoints;
using Sanmenxia.Regions;

namespace Sanmenxia.Api.Checkpoints;

/// <summary>
/// Rows of a checkpoint import: id,name,region_code[,policy] with policy like "red=refuse;yellow=check". One instance per
/// file (an id may appear once).
/// </summary>
public sealed class CheckpointCsv(RegionCatalog regions)
{
    public static readonly CsvColumns Columns = new(["id", "name", "region_code"], ["policy"], "id,name,region_code[,policy]");

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>The row's checkpoint, or null with the row's first bad field recorded.</summary>
    public async Task<CheckpointInfo?> MapAsync(CsvRow row, CsvImport import)
    {
        var line = row.Line;
        var id = row["id"]?.Trim().ToLowerInvariant();
        var name = row.Trimmed("name");
        if (!CheckpointRules.IsValidId(id)) { import.Fail(line, "id", "must look like cp-411202001-0001"); return null; }
        if (!_seen.Add(id)) { import.Fail(line, "id", "appears twice in this file"); return null; }
        if (name.Length is 0 or > 64) { import.Fail(line, "name", "is required (at most 64 characters)"); return null; }
        if (!RegionCode.TryParse(row["region_code"]?.Trim(), out var region, out var regionError)) { import.Fail(line, "region_code", regionError); return null; }
        if (await regions.FindAsync(region.Value) is null) { import.Fail(line, "region_code", $"unknown region {region.Value}"); return null; }
        if (!CheckpointPolicy.TryParse(row["policy"], out var policy, out var policyError)) { import.Fail(line, "policy", policyError!); return null; }
        return new CheckpointInfo(id, name, region, region.Level, policy, []);
    }
}
