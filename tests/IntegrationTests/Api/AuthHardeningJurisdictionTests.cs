using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Staff management and the development outbox are bounded by the administrator's jurisdiction: a county administrator
/// cannot make accounts for the city or another county, nor disable or enable them, nor read a code it does not cover;
/// an account's jurisdiction must exist in the region tree.
/// </summary>
[Collection("api")]
public sealed class AuthHardeningJurisdictionTests(ApiFactory factory)
{
    [Fact]
    public async Task A_county_administrator_manages_staff_within_its_county_only()
    {
        var county = await factory.NewStaffAsync(Roles.Admin, "411202");
        Assert.Equal(HttpStatusCode.Forbidden, (await Create(county, Roles.Admin, "411200")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Create(county, Roles.Commander, "411203")).StatusCode);
        var own = await Create(county, Roles.Commander, "411202");
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        var ownName = (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("username").GetString();

        // The city's first administrator is outside the county: neither disabled nor enabled from there.
        Assert.Equal(HttpStatusCode.Forbidden, (await county.PostAsync("/api/admin/staff/admin/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await county.PostAsync("/api/admin/staff/admin/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await county.PostAsync($"/api/admin/staff/{ownName}/disable", null)).StatusCode);

        // Its list shows its county's accounts only.
        var listed = await county.GetFromJsonAsync<JsonElement>("/api/admin/staff?take=500");
        Assert.All(listed.EnumerateArray(), a => Assert.StartsWith("411202", a.GetProperty("jurisdiction").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await county.GetAsync("/api/admin/staff?jurisdiction=411200")).StatusCode);
    }

    [Theory]
    [InlineData("411250")]       // a county code the city does not have
    [InlineData("411202999999")] // a village that does not exist
    public async Task An_account_for_a_region_not_in_the_tree_is_refused(string jurisdiction)
    {
        var admin = await factory.AdminClientAsync();
        await factory.SeedRegionsAsync();
        var response = await Create(admin, Roles.VillageStaff, jurisdiction);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("jurisdiction", out _), problem.ToString());
    }

    [Fact]
    public async Task A_county_administrator_cannot_read_the_code_of_a_phone_it_does_not_cover()
    {
        var phone = ResidentFlow.NewPhone();
        (await factory.CreateClient().PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var county = await factory.NewStaffAsync(Roles.Admin, "411202");
        // Nobody has registered with the phone yet: it belongs to no county, only the city's administrators see its code.
        Assert.Equal(HttpStatusCode.Forbidden, (await county.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await factory.AdminClientAsync()).PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone))).StatusCode);
    }

    private static Task<HttpResponseMessage> Create(HttpClient admin, string role, string jurisdiction) =>
        admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest($"j-{Guid.NewGuid():N}"[..18], "password-1234", "Jurisdiction test", role, jurisdiction, null));
}

/// <summary>The last enabled city administrator cannot be disabled (its own system: the test disables administrators).</summary>
public sealed class AuthHardeningLastAdminTests : IAsyncLifetime
{
    private readonly ApiFactory _factory = new();

    [Fact]
    public async Task The_last_enabled_city_administrator_cannot_be_disabled()
    {
        var admin = await _factory.AdminClientAsync();
        var self = await admin.PostAsync("/api/admin/staff/admin/disable", null);
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);

        var second = $"admin2-{Guid.NewGuid():N}"[..16];
        (await admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest(second, "password-1234", "Second admin", Roles.Admin, "411200", null))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/staff/{second}/disable", null)).StatusCode);
        // The second one is disabled again: the first is the last one once more.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("/api/admin/staff/admin/disable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/staff/{second}/enable", null)).StatusCode);
        var other = await _factory.StaffClientAsync(second, "password-1234");
        Assert.Equal(HttpStatusCode.NoContent, (await other.PostAsync("/api/admin/staff/admin/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await other.PostAsync($"/api/admin/staff/{second}/disable", null)).StatusCode);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _factory.DisposeAsync();
}
