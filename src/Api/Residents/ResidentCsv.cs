using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Regions;

namespace Sanmenxia.Api.Residents;

/// <summary>One person read from a resident import.</summary>
public sealed record ImportedResident(int Line, string Household, string Name, ResidentIdNumber Id, PhoneNumber? Phone, string Village, bool Head);

/// <summary>
/// Rows of a resident import: household,name,id_number,phone,village_code,head. "household" is the file's own reference for
/// a household (rows with the same reference and village form one household); phone is optional; head is true for the
/// household head. One instance per file (an ID number may appear once); staff import only within their jurisdiction.
/// </summary>
/// <param name="today">Sanmenxia's day, not UTC's: a baby born today before 08:00 is accepted, as by self-registration.</param>
public sealed class ResidentCsv(RegionCatalog regions, Caller caller, DateOnly today)
{
    public static readonly CsvColumns Columns = new(["household", "name", "id_number", "village_code"], ["phone", "head"],
        "household,name,id_number,phone,village_code,head");

    private readonly HashSet<string> _seenIds = new(StringComparer.Ordinal);

    /// <summary>The row's person, or null with the row's first bad field recorded.</summary>
    public async Task<ImportedResident?> MapAsync(CsvRow row, CsvImport import)
    {
        var line = row.Line;
        var household = row.Trimmed("household");
        var name = row.Trimmed("name");
        if (household.Length is 0 or > 64) { import.Fail(line, "household", "is required (at most 64 characters)"); return null; }
        if (name.Length is 0 or > 50) { import.Fail(line, "name", "is required (at most 50 characters)"); return null; }
        if (!ResidentIdNumber.TryParse(row["id_number"], today, out var id, out var idError)) { import.Fail(line, "id_number", idError!); return null; }
        if (!_seenIds.Add(id.Value)) { import.Fail(line, "id_number", "appears twice in this file"); return null; }
        PhoneNumber? phone = null;
        var phoneText = row["phone"];
        if (!string.IsNullOrWhiteSpace(phoneText))
        {
            if (PhoneNumber.TryParse(phoneText, out var p, out var phoneError)) phone = p; else { import.Fail(line, "phone", phoneError); return null; }
        }
        if (!RegionCode.TryParse(row["village_code"], out var village, out var villageError)) { import.Fail(line, "village_code", villageError); return null; }
        if (village.Level != RegionLevel.Village || await regions.FindAsync(village.Value) is null) { import.Fail(line, "village_code", $"unknown village {village.Value}"); return null; }
        if (!caller.Covers(village)) { import.Fail(line, "village_code", $"village {village.Value} is outside your jurisdiction"); return null; }
        var head = row["head"]?.Trim().ToLowerInvariant();
        return new ImportedResident(line, household, name, id, phone, village.Value, head is "true" or "1" or "yes" or "y" or "户主");
    }
}
