using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Sanmenxia.Api.Csv;

/// <summary>
/// Writes a CSV export that is safe to open in a spreadsheet: a cell starting with = + - @, a tab or a carriage return
/// would be read as a formula (CSV injection), so it is written with a leading single quote. Every CSV the API returns
/// is written by this class.
/// </summary>
public sealed class CsvExport
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.None };
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    private readonly StringWriter _text = new(CultureInfo.InvariantCulture);
    private readonly CsvWriter _csv;

    public CsvExport(IEnumerable<string> header)
    {
        _csv = new CsvWriter(_text, Configuration);
        Row(header);
    }

    /// <summary>A cell as written: "" for null, invariant text otherwise, a leading quote before a formula start.</summary>
    public static string Cell(object? value) => Safe(value switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    });

    /// <summary>"=1+1" → "'=1+1"; anything not starting with = + - @, tab or CR is unchanged.</summary>
    public static string Safe(string cell) => cell.Length > 0 && Array.IndexOf(FormulaStarts, cell[0]) >= 0 ? "'" + cell : cell;

    public CsvExport Row(IEnumerable<object?> cells)
    {
        foreach (var cell in cells) _csv.WriteField(Cell(cell));
        _csv.NextRecord();
        return this;
    }

    public CsvExport Row(params object?[] cells) => Row((IEnumerable<object?>)cells);

    public override string ToString()
    {
        _csv.Flush();
        return _text.ToString();
    }

    /// <summary>The export as a download (UTF-8 with a byte order mark, so spreadsheet programs read the Chinese text right).</summary>
    public IResult ToFile(string fileName) =>
        Results.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(ToString())).ToArray(), ContentType, fileName);

    /// <summary>The export as the response text (UTF-8, no byte order mark).</summary>
    public IResult ToText() => Results.Text(ToString(), ContentType);
}
