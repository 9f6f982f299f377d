using System.Net;
using System.Net.Http.Json;
using System.Text;
using Sanmenxia.Api.Endpoints;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>Every CSV import refuses a file with nothing in it; every CSV export is safe to open in a spreadsheet.</summary>
[Collection("api")]
public sealed class CsvApiTests(ApiFactory factory)
{
    public static TheoryData<string> Imports =>
    [
        "/api/admin/regions/import",
        "/api/admin/checkpoints/import",
        "/api/admin/residents/import",
        "/api/admin/key-persons/import",
        "/api/trips/cases/import",
    ];

    [Theory]
    [MemberData(nameof(Imports))]
    public async Task An_empty_or_BOM_only_file_is_a_400_naming_file(string path)
    {
        var admin = await factory.AdminClientAsync();
        foreach (var body in new[] { Array.Empty<byte>(), Encoding.UTF8.GetPreamble() })
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("text/csv") { CharSet = "utf-8" };
            var problem = await FoundationApiTests.AssertProblem(await admin.PostAsync(path, content), 400);
            Assert.StartsWith("is empty: expected a header", problem.GetProperty("errors").GetProperty("file")[0].GetString());
        }
    }

    [Fact]
    public async Task The_key_person_register_export_writes_a_formula_as_text()
    {
        var village = (await factory.VillagesAsync())[8].Code;
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(village);
        var staff = await factory.NewStaffAsync("village", village);
        var today = DateOnly.FromDateTime(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var created = await staff.PostAsJsonAsync($"/api/villages/{village}/residents/{r.ResidentKey}/key-person",
            new KeyPersonRequest("FromOutsideCity", today, "=HYPERLINK(\"http://evil.example\",\"click\")", "HomeIsolation", null, null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var csv = await staff.GetStringAsync($"/api/regions/{village}/key-persons?format=csv");
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"", csv);
        Assert.DoesNotContain(",\"=HYPERLINK", csv);
    }
}
