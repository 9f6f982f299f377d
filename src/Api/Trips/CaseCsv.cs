using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Problems;
using Sanmenxia.Platform.Time;
using Sanmenxia.Trips;

namespace Sanmenxia.Api.Trips;

/// <summary>One published line of a case list: the trip, the seat area, where from and to, and the source.</summary>
public sealed record CaseRow(int Line, TripId Trip, SeatInfo Seat, string? From, string? To, string Source);

/// <summary>Rows of the 2020 case lists: date,mode,number,carriage,row,seat,from,to,source.</summary>
public sealed class CaseCsv(DomainCalendar calendar)
{
    public static readonly CsvColumns Columns = new(["date", "mode", "number", "source"], ["carriage", "row", "seat", "from", "to"],
        "date,mode,number,carriage,row,seat,from,to,source");

    /// <summary>The row's case, or null with the row's first bad field recorded.</summary>
    public CaseRow? Map(CsvRow row, CsvImport import)
    {
        var line = row.Line;
        var fieldErrors = new FieldErrors();
        DateOnly? date = DateOnly.TryParseExact(row["date"], "yyyy-MM-dd", out var d) ? d : null;
        if (date is null) { import.Fail(line, "date", "must be a date yyyy-MM-dd"); return null; }
        var trip = TripEndpoints.ValidateTrip(fieldErrors, row["mode"], row["number"], date, calendar);
        var seat = TripEndpoints.ValidateSeat(fieldErrors, ParseInt(row["carriage"]), ParseInt(row["row"]), row.Optional("seat"));
        var source = row["source"]?.Trim();
        if (string.IsNullOrEmpty(source)) fieldErrors.Add("source", "is required");
        if (fieldErrors.Any)
        {
            var first = fieldErrors.ToDictionary().First();
            import.Fail(line, first.Key, first.Value[0]);
            return null;
        }
        return new CaseRow(line, trip!, seat, row.Optional("from"), row.Optional("to"), source!);
    }

    private static int? ParseInt(string? value) => int.TryParse(value, out var n) ? n : null;
}
