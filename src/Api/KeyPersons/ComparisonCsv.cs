using Sanmenxia.Api.Csv;
using Sanmenxia.Identity;
using Sanmenxia.KeyPersons;

namespace Sanmenxia.Api.KeyPersons;

/// <summary>One line of an outside source's list: this person was in a category between two dates.</summary>
public sealed record ComparisonRow(int Line, ResidentIdNumber Id, KeyPersonCategory Category, DateOnly From, DateOnly To, string Source, string? Origin);

/// <summary>Rows of a backend comparison import (e.g. carriers' roaming data): id_number,category,from_date,to_date,source[,origin].</summary>
public sealed class ComparisonCsv(DateOnly today)
{
    public static readonly CsvColumns Columns = new(["id_number", "category", "from_date", "to_date", "source"], ["origin"],
        "id_number,category,from_date,to_date,source,origin");

    /// <summary>The row's comparison, or null with the row's first bad field recorded.</summary>
    public ComparisonRow? Map(CsvRow row, CsvImport import)
    {
        var line = row.Line;
        if (!ResidentIdNumber.TryParse(row["id_number"], today, out var id, out var idError)) { import.Fail(line, "id_number", idError!); return null; }
        if (!Enum.TryParse<KeyPersonCategory>(row["category"], true, out var category) || !Enum.IsDefined(category))
        { import.Fail(line, "category", "must be FromOutsideCity, FromHubei, FromWuhan, CloseContact or FeverNoExposure"); return null; }
        if (!DateOnly.TryParseExact(row["from_date"], "yyyy-MM-dd", out var from)) { import.Fail(line, "from_date", "must be a date yyyy-MM-dd"); return null; }
        if (!DateOnly.TryParseExact(row["to_date"], "yyyy-MM-dd", out var to) || to < from) { import.Fail(line, "to_date", "must be a date yyyy-MM-dd on or after from_date"); return null; }
        if (to > today) { import.Fail(line, "to_date", "must not be in the future"); return null; }
        var source = row["source"]?.Trim();
        if (string.IsNullOrEmpty(source) || source.Length > 64) { import.Fail(line, "source", "is required (at most 64 characters)"); return null; }
        var origin = row["origin"]?.Trim();
        return new ComparisonRow(line, id, category, from, to, source, string.IsNullOrEmpty(origin) ? null : origin);
    }
}
