using Sanmenxia.Api.Csv;
using Sanmenxia.Regions;

namespace Sanmenxia.Api.Regions;

/// <summary>One region read from a file, before its parent is checked.</summary>
public sealed record RegionRow(int Line, RegionCode Code, string Name, string Pinyin, int Population);

/// <summary>
/// Rows of a region import: code,name[,pinyin][,population]. No column is required in the header: a row without a code or
/// name is reported on its line, as this import always has.
/// </summary>
public static class RegionCsv
{
    public static readonly CsvColumns Columns = new([], ["code", "name", "pinyin", "population"], "code,name[,pinyin][,population]");

    /// <summary>The row's region, or null with the row's first bad field recorded.</summary>
    public static RegionRow? Map(CsvRow row, CsvImport import)
    {
        var line = row.Line;
        var name = row["name"]?.Trim();
        if (!RegionCode.TryParse(row["code"], out var code, out var error)) { import.Fail(line, "code", error); return null; }
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64) { import.Fail(line, "name", "is required (at most 64 characters)"); return null; }
        var populationText = row["population"];
        var population = 0;
        if (!string.IsNullOrEmpty(populationText) && (!int.TryParse(populationText, out population) || population < 0))
        { import.Fail(line, "population", "must be a whole number ≥ 0"); return null; }
        return new RegionRow(line, code, name, row["pinyin"] ?? "", population);
    }
}
