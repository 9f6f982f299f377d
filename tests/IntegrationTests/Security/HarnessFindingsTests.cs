using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Security;

/// <summary>What the bad-input harness (<see cref="BadInputHarnessTests"/>) found, each pinned by a focused test.</summary>
[Collection("api")]
public sealed class HarnessFindingsTests(ApiFactory factory)
{
    [Fact]
    public async Task A_county_administrator_reads_only_the_audit_entries_of_their_own_county()
    {
        var villages = await factory.VillagesAsync();
        var home = villages[0];
        var foreign = villages.First(v => v.Code[..6] != home.Code[..6]);
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync(home.Code);
        var village = await factory.NewStaffAsync(Roles.VillageStaff, home.Code[..6]);
        (await village.GetAsync($"/api/villages/{home.Code}/residents/{resident.ResidentKey}")).EnsureSuccessStatusCode();

        var homeAdmin = await factory.NewStaffAsync(Roles.Admin, home.Code[..6]);
        var foreignAdmin = await factory.NewStaffAsync(Roles.Admin, foreign.Code[..6]);
        var cityAdmin = await factory.AdminClientAsync();
        async Task<int> EntriesAsync(HttpClient admin, string query) =>
            (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/audit?{query}&take=1000")).GetArrayLength();

        Assert.True(await EntriesAsync(homeAdmin, $"subject={resident.ResidentKey}") > 0);
        Assert.True(await EntriesAsync(cityAdmin, $"subject={resident.ResidentKey}") > 0);
        Assert.Equal(0, await EntriesAsync(foreignAdmin, $"subject={resident.ResidentKey}"));
        // Nor by browsing: nothing a foreign administrator reads lies outside their county.
        var all = await foreignAdmin.GetFromJsonAsync<JsonElement>("/api/admin/audit?take=1000");
        Assert.All(all.EnumerateArray(), e => Assert.StartsWith(foreign.Code[..6], e.GetProperty("regionCode").GetString()));
    }
}
