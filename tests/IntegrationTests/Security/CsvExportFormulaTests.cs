using System.Net;
using System.Net.Http.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Security;

/// <summary>
/// Issue 16, item 7: every CSV the API answers is written by CsvExport, so a cell a spreadsheet would run as a formula
/// comes out as text. One test per export (the region register export is CsvApiTests').
/// </summary>
[Collection("api")]
public sealed class CsvExportFormulaTests(ApiFactory factory)
{
    private const string Formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
    // As CsvExport writes it: a leading quote, then the cell quoted because it holds quotes and a comma.
    private const string Escaped = "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"";

    private static void AssertEscaped(string csv)
    {
        Assert.Contains(Escaped, csv);
        Assert.DoesNotContain(",\"=HYPERLINK", csv);
        Assert.DoesNotContain("\n\"=HYPERLINK", csv);
    }

    [Fact]
    public async Task The_village_resident_export_writes_a_formula_name_as_text()
    {
        var village = (await factory.VillagesAsync())[9].Code;
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(village, Formula);
        var staff = await factory.NewStaffAsync(Roles.VillageStaff, village);
        AssertEscaped(await staff.GetStringAsync($"/api/villages/{village}/residents/export"));
    }

    [Fact]
    public async Task The_village_key_person_export_writes_a_formula_origin_as_text()
    {
        var village = (await factory.VillagesAsync())[10].Code;
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(village);
        var staff = await factory.NewStaffAsync(Roles.VillageStaff, village);
        var today = DateOnly.FromDateTime(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var created = await staff.PostAsJsonAsync($"/api/villages/{village}/residents/{r.ResidentKey}/key-person",
            new KeyPersonRequest("FromOutsideCity", today, Formula, "HomeIsolation", null, null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        AssertEscaped(await staff.GetStringAsync($"/api/villages/{village}/key-persons/export"));
    }

    [Fact]
    public async Task The_checkpoint_pass_export_writes_a_formula_masked_name_as_text()
    {
        var village = (await factory.VillagesAsync())[11].Code;
        var id = $"cp-{village[..9]}-0777";
        var admin = await factory.AdminClientAsync();
        (await admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "Gate", village, null, null))).EnsureSuccessStatusCode();
        var staff = await factory.NewStaffAsync(Roles.CheckpointStaff, village, id);
        // The masked name keeps the first and last characters: "=" and ")" of a name that is a formula.
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(village, "=1+HYPERLINK(\"http://evil.example\")");
        await r.ApplyAsync();
        (await staff.PostAsJsonAsync($"/api/checkpoints/{id}/passes", new RegisterPassRequest("In", null, r.IdNumber, "IdCard"))).EnsureSuccessStatusCode();

        var csv = await staff.GetStringAsync($"/api/checkpoints/{id}/passes?format=csv");
        Assert.Contains(",'=*", csv);
        Assert.DoesNotContain(",=*", csv);
    }
}
