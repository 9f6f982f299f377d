using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Problems.Localisation;

namespace Sanmenxia.Api.Csv;

/// <summary>
/// One bad field of an imported row: the file's line number (the header is line 1), the column, and why, in the
/// caller's language, with the reason's stable code (Problems/Localisation).
/// </summary>
public sealed record ImportLineError(int Line, string Field, string Reason, string? Code = null);

/// <summary>
/// The columns an import reads: those it requires in the header, those it reads when present, and the header as an
/// empty file's refusal describes it (e.g. "id,name,region_code[,policy]").
/// </summary>
public sealed record CsvColumns(IReadOnlyList<string> Required, IReadOnlyList<string> Optional, string Expected)
{
    /// <summary>Every column in the order <see cref="Expected"/> names them: the header an export writes for this import.</summary>
    public IReadOnlyList<string> Header => Expected.Replace("[", "").Replace("]", "").Split(',');
}

/// <summary>One data row, with the line it ends on. Field values are as written (null when the column is absent).</summary>
public sealed class CsvRow
{
    private readonly IReadOnlyDictionary<string, int> _columns;
    private readonly string[] _fields;

    internal CsvRow(int line, IReadOnlyDictionary<string, int> columns, string[] fields) =>
        (Line, _columns, _fields) = (line, columns, fields);

    public int Line { get; }

    /// <summary>The field as written; null when the header has no such column or the row is short.</summary>
    public string? this[string column] => _columns.TryGetValue(column, out var i) && i < _fields.Length ? _fields[i] : null;

    /// <summary>The field trimmed; "" when absent.</summary>
    public string Trimmed(string column) => this[column]?.Trim() ?? "";

    /// <summary>The field trimmed; null when absent or blank.</summary>
    public string? Optional(string column) => string.IsNullOrWhiteSpace(this[column]) ? null : this[column]!.Trim();
}

/// <summary>
/// Reads an uploaded CSV for an import: checks the header (an empty or BOM-only body, or a header without a required
/// column, is a 400 naming "file"), yields the data rows with their line numbers, and collects line-numbered field
/// errors, so bad rows are reported and good rows kept. Safe to add errors from parallel work.
/// </summary>
public sealed class CsvImport : IDisposable
{
    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null };

    private readonly StreamReader _reader;
    private readonly CsvReader _csv;
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    private readonly List<ImportLineError> _errors = [];

    private CsvImport(Stream body)
    {
        // Detects and drops a UTF-8 byte order mark, as spreadsheet programs write one.
        _reader = new StreamReader(body);
        _csv = new CsvReader(_reader, Configuration);
    }

    /// <summary>The refusal when the file cannot be imported at all; null once the header is read.</summary>
    public IResult? Refusal { get; private set; }

    /// <summary>Data rows read so far (good and bad).</summary>
    public int Rows { get; private set; }

    /// <summary>The language the line errors are reported in (Accept-Language, as problems are); null: as recorded.</summary>
    private ProblemLanguage? _language;

    /// <summary>Opens the body and reads its header; check <see cref="Refusal"/> before reading rows.</summary>
    public static async Task<CsvImport> OpenAsync(Stream body, CsvColumns columns)
    {
        var import = new CsvImport(body);
        await import.ReadHeaderAsync(columns);
        return import;
    }

    /// <summary>Opens a request's body: the line errors are reported in the caller's language.</summary>
    public static async Task<CsvImport> OpenAsync(HttpRequest request, CsvColumns columns)
    {
        var import = await OpenAsync(request.Body, columns);
        var language = ProblemLanguages.Negotiate(request);
        import._language = language;
        request.HttpContext.Response.Headers.ContentLanguage = language.Tag();
        return import;
    }

    private async Task ReadHeaderAsync(CsvColumns columns)
    {
        if (!await _csv.ReadAsync() || !_csv.ReadHeader() || _csv.HeaderRecord is not { } header)
        {
            Refusal = Refusals.Field("file", $"is empty: expected a header {columns.Expected}");
            return;
        }
        for (var i = 0; i < header.Length; i++) _columns.TryAdd(header[i], i);
        var missing = columns.Required.Where(c => !_columns.ContainsKey(c)).ToList();
        if (missing.Count > 0) Refusal = Refusals.Field("file", $"header lacks column(s): {string.Join(", ", missing)}");
    }

    /// <summary>The data rows in file order, each with the line it ends on.</summary>
    public async IAsyncEnumerable<CsvRow> RowsAsync()
    {
        if (Refusal is not null) throw new InvalidOperationException("The file was refused; there are no rows to read.");
        while (await _csv.ReadAsync())
        {
            Rows++;
            yield return new CsvRow(_csv.Parser.RawRow, _columns, _csv.Parser.Record ?? []);
        }
    }

    /// <summary>Records a bad field of a row (the row is then left out).</summary>
    public void Fail(int line, string field, string reason)
    {
        lock (_errors) _errors.Add(new ImportLineError(line, field, reason));
    }

    /// <summary>The errors recorded, in the order recorded, each in the caller's language with its code.</summary>
    public IReadOnlyList<ImportLineError> Errors
    {
        get { lock (_errors) return _errors.Select(Localised).ToList(); }
    }

    private ImportLineError Localised(ImportLineError error) => _language is not { } language ? error
        : ProblemCatalog.Default.Translate(error.Reason, language) is { } known ? error with { Reason = known.Text, Code = known.Code }
        : error with { Reason = language == ProblemLanguage.English ? error.Reason : "填写有误", Code = ProblemLocaliser.Unlocalised };

    /// <summary>The errors recorded, by line.</summary>
    public IReadOnlyList<ImportLineError> ErrorsByLine() => Errors.OrderBy(e => e.Line).ToList();

    public void Dispose()
    {
        _csv.Dispose();
        _reader.Dispose();
    }
}
