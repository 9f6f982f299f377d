using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Retention;

/// <summary>
/// The registers' CSV exports carry exactly the columns their imports accept: exported from one instance, imported into a
/// fresh one (its own cluster), exported again, the files are identical (regions, checkpoints, a village's residents).
/// </summary>
public sealed class InteropRoundTripTests
{
    private static async Task ImportAsync(HttpClient admin, string path, string csv)
    {
        var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        var response = await admin.PostAsync(path, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        Assert.DoesNotContain("\"line\"", body); // no row refused
    }

    private static async Task<int> ResidentsAsync(HttpClient admin, string village) =>
        (await admin.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/residents?take=200")).GetProperty("total").GetInt32();

    [Fact]
    public async Task Regions_checkpoints_and_residents_survive_export_import_export_into_a_fresh_instance()
    {
        await using var first = new ApiFactory();
        await first.SeedRegionsAsync();
        var village = (await first.VillagesAsync())[3].Code;
        var adminA = await first.AdminClientAsync();
        foreach (var (id, name, policy) in new[] { ("cp-411202-0101", "高速口 · toll gate", null), ("cp-411202-0102", "村口, east \"gate\"", new { red = "refuse", yellow = "refuse", none = "check" }) })
            Assert.True((await adminA.PostAsJsonAsync("/api/admin/checkpoints", new { id, name, regionCode = "411202", policy })).IsSuccessStatusCode);
        var (h1, m1, h2) = (ResidentFlow.NewIdNumber(), ResidentFlow.NewIdNumber(), ResidentFlow.NewIdNumber());
        await ImportAsync(adminA, "/api/admin/residents/import", $"""
            household,name,id_number,phone,village_code,head
            a,王户主,{h1},{ResidentFlow.NewPhone()},{village},true
            a,王成员,{m1},,{village},false
            b,李户主,{h2},{ResidentFlow.NewPhone()},{village},true
            """);
        await Eventually.Until(async () => await ResidentsAsync(adminA, village) == 3, TimeSpan.FromSeconds(20), "the import reaches the village");

        var regions = await adminA.GetStringAsync("/api/admin/regions/export");
        var checkpoints = await adminA.GetStringAsync("/api/admin/checkpoints/export");
        var residents = await adminA.GetStringAsync($"/api/admin/villages/{village}/residents/interop-export");
        Assert.StartsWith("code,name,pinyin,population", regions.TrimStart('\uFEFF'));
        Assert.StartsWith("id,name,region_code,policy", checkpoints.TrimStart('\uFEFF'));
        Assert.StartsWith("household,name,id_number,phone,village_code,head", residents.TrimStart('\uFEFF'));
        Assert.Contains(h1, residents);
        Assert.Equal(4, residents.TrimEnd().Split('\n').Length);

        await using var second = new ApiFactory();
        var adminB = await second.AdminClientAsync();
        await ImportAsync(adminB, "/api/admin/regions/import", regions);
        await ImportAsync(adminB, "/api/admin/checkpoints/import", checkpoints);
        await ImportAsync(adminB, "/api/admin/residents/import", residents);
        await Eventually.Until(async () => await ResidentsAsync(adminB, village) == 3, TimeSpan.FromSeconds(20), "the import reaches the village");

        Assert.Equal(regions, await adminB.GetStringAsync("/api/admin/regions/export"));
        Assert.Equal(checkpoints, await adminB.GetStringAsync("/api/admin/checkpoints/export"));
        Assert.Equal(residents, await adminB.GetStringAsync($"/api/admin/villages/{village}/residents/interop-export"));

        // The interop export is audited and for administrators only; the daily figures export stays within jurisdiction.
        var villageStaff = await second.NewStaffAsync("village", village);
        Assert.Equal(HttpStatusCode.Forbidden, (await villageStaff.GetAsync($"/api/admin/villages/{village}/residents/interop-export")).StatusCode);
        var commander = await second.NewStaffAsync("commander", "411202");
        var history = await commander.GetStringAsync("/api/regions/411202/history/export?days=7");
        Assert.StartsWith("region_code,day,residents,applied,green,yellow,red", history.TrimStart('\uFEFF'));
        var outsider = await second.NewStaffAsync("commander", "411203");
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync("/api/regions/411202/history/export")).StatusCode);
    }
}
