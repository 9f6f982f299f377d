using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Csv;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>The API's one CSV reader for imports and one writer for exports (no server needed).</summary>
public sealed class CsvTests
{
    private static readonly CsvColumns Columns = new(["id", "name"], ["note"], "id,name[,note]");

    private static async Task<(CsvImport Import, List<CsvRow> Rows)> ReadAsync(string text, CsvColumns? columns = null)
    {
        var import = await CsvImport.OpenAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), columns ?? Columns);
        var rows = new List<CsvRow>();
        if (import.Refusal is null)
            await foreach (var row in import.RowsAsync()) rows.Add(row);
        return (import, rows);
    }

    [Fact]
    public async Task Rows_carry_their_line_in_the_file_the_header_being_line_1()
    {
        // Line 3 is blank; the record on lines 4-5 has a quoted line break and is reported on the line it ends on (as always).
        var (import, rows) = await ReadAsync("id,name,note\r\n1,甲,\n\n2,乙,\"two\nlines\"\n3,丙,x\n");
        Assert.Null(import.Refusal);
        Assert.Equal([2, 5, 6], rows.Select(r => r.Line));
        Assert.Equal(3, import.Rows);
        Assert.Equal("two\nlines", rows[1]["note"]);
        Assert.Equal("丙", rows[2]["name"]);
    }

    [Fact]
    public async Task Fields_are_read_by_column_name_absent_ones_are_null_and_blank_optional_ones_too()
    {
        var (_, rows) = await ReadAsync("name,id\n  乙 ,7\n甲\n");
        Assert.Equal("7", rows[0]["id"]);
        Assert.Equal("乙", rows[0].Trimmed("name"));
        Assert.Null(rows[0]["note"]); // not in the header
        Assert.Null(rows[1]["id"]); // a short row
        Assert.Equal("", rows[1].Trimmed("id"));
        Assert.Null(rows[1].Optional("id"));
        Assert.Equal("乙", rows[0].Optional("name"));
    }

    [Fact]
    public async Task Errors_are_collected_with_their_lines_and_reported_by_line()
    {
        var (import, rows) = await ReadAsync("id,name\na,1\nb,2\nc,3\n");
        import.Fail(rows[2].Line, "id", "third");
        import.Fail(rows[0].Line, "name", "first");
        Assert.Equal([new ImportLineError(4, "id", "third"), new ImportLineError(2, "name", "first")], import.Errors);
        Assert.Equal([2, 4], import.ErrorsByLine().Select(e => e.Line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\r\n\r\n")]
    public async Task An_empty_or_BOM_only_body_is_refused_naming_file(string body)
    {
        var (import, _) = await ReadAsync(body);
        var problem = await ProblemOf(import.Refusal!);
        Assert.Contains("\"file\"", problem);
        Assert.Contains("is empty: expected a header id,name[,note]", problem);
    }

    [Fact]
    public async Task A_header_with_a_byte_order_mark_is_read_and_one_without_a_required_column_is_refused()
    {
        var (import, rows) = await ReadAsync("\uFEFFid,name\n1,甲\n");
        Assert.Null(import.Refusal);
        Assert.Equal("1", rows.Single()["id"]);

        var (lacking, _) = await ReadAsync("id,note\n1,x\n");
        var problem = await ProblemOf(lacking.Refusal!);
        Assert.Contains("\"file\"", problem);
        Assert.Contains("header lacks column(s): name", problem);
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+86 138", "'+86 138")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("王*明", "王*明")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    public void A_cell_that_a_spreadsheet_would_run_as_a_formula_gets_a_leading_quote(string cell, string written) =>
        Assert.Equal(written, CsvExport.Safe(cell));

    [Fact]
    public void An_export_writes_the_header_and_rows_escaping_formulas_and_quoting_as_CSV_needs()
    {
        var csv = new CsvExport(["name", "origin", "count", "flag", "when"])
            .Row("王*明", "=HYPERLINK(\"http://evil\",\"x\")", 3, true, new DateOnly(2020, 2, 1))
            .Row(null, "a,b", -1, false, null)
            .ToString();
        Assert.Equal("name,origin,count,flag,when\r\n" +
            "王*明,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",3,True,02/01/2020\r\n" +
            ",\"a,b\",'-1,False,\r\n", csv);
    }

    private static async Task<string> ProblemOf(IResult result)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();
        await result.ExecuteAsync(http);
        Assert.Equal(StatusCodes.Status400BadRequest, http.Response.StatusCode);
        return Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray());
    }
}
