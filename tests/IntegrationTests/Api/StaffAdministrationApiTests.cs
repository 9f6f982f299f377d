using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Issue 17, administration: an administrator resets a staff member's password (every session of the account ends, the
/// old password stops working, the new one works), disabling ends sessions for good (enabling does not revive them), the
/// staff list filters by role, and each action is refused outside the role or jurisdiction and is audited.
/// </summary>
[Collection("api")]
public sealed class StaffAdministrationApiTests(ApiFactory factory)
{
    private const string Password = "password-1234";

    private async Task<string> NewAccountAsync(HttpClient admin, string role, string jurisdiction)
    {
        await factory.SeedRegionsAsync();
        var username = $"adm-{Guid.NewGuid():N}"[..18];
        var created = await admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest(username, Password, "管理测试", role, jurisdiction, null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return username;
    }

    private static async Task<string> SubjectAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/auth/me")).GetProperty("subject").GetString()!;

    private static async Task<List<JsonElement>> AuditAsync(HttpClient admin, string actor) =>
        [.. (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/audit?actor={actor}&take=1000")).EnumerateArray()];

    private async Task<HttpStatusCode> SignInAsync(string username, string password) =>
        (await factory.CreateClient().PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, password))).StatusCode;

    [Fact]
    public async Task A_password_reset_ends_every_session_and_only_the_new_password_signs_in()
    {
        var admin = await factory.NewStaffAsync(Roles.Admin, "411200");
        var adminName = await SubjectAsync(admin);
        var username = await NewAccountAsync(admin, Roles.Commander, "411200");
        var first = await factory.StaffClientAsync(username, Password);
        var second = await factory.StaffClientAsync(username, Password);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/auth/me")).StatusCode);

        var reset = await admin.PostAsJsonAsync($"/api/admin/staff/{username}/password", new ResetPasswordRequest("new-password-5678"));
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        // A leaked password is useless after the reset, and so is every token signed in with it, on every device.
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/api/regions/411200/counts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(username, Password));
        var fresh = await factory.StaffClientAsync(username, "new-password-5678");
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/regions/411200/counts")).StatusCode);

        var entries = await AuditAsync(admin, adminName);
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "staff.password.reset" && e.GetProperty("detail").GetString() == username);
        // The password itself is never written to the trail.
        Assert.DoesNotContain(entries, e => e.GetProperty("detail").GetString()?.Contains("new-password", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Disabling_ends_sessions_for_good_and_enabling_needs_a_new_sign_in()
    {
        var admin = await factory.AdminClientAsync();
        var username = await NewAccountAsync(admin, Roles.VillageStaff, "411200");
        var staff = await factory.StaffClientAsync(username, Password);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/staff/{username}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(username, Password));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/staff/{username}/enable", null)).StatusCode);

        // The token from before the disabling stays dead; a new sign-in works.
        Assert.Equal(HttpStatusCode.Unauthorized, (await staff.GetAsync("/api/auth/me")).StatusCode);
        var again = await factory.StaffClientAsync(username, Password);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/auth/me")).StatusCode);
    }

    [Theory]
    [InlineData(null, "must be at least 10 characters")]
    [InlineData("short", "must be at least 10 characters")]
    [InlineData("long", "must be at most 256 characters")]
    public async Task A_reset_to_a_password_breaking_the_rule_is_a_field_error_and_changes_nothing(string? password, string reason)
    {
        var admin = await factory.AdminClientAsync();
        var username = await NewAccountAsync(admin, Roles.Hotline, "411200");
        var staff = await factory.StaffClientAsync(username, Password);
        var wanted = password == "long" ? new string('x', 257) : password;

        var response = await admin.PostAsJsonAsync($"/api/admin/staff/{username}/password", new ResetPasswordRequest(wanted));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("password")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await SignInAsync(username, Password));
    }

    [Fact]
    public async Task A_reset_is_refused_outside_the_role_or_the_jurisdiction()
    {
        var admin = await factory.AdminClientAsync();
        var cityAccount = await NewAccountAsync(admin, Roles.VillageStaff, "411200");
        var body = new ResetPasswordRequest("new-password-5678");

        var commander = await factory.NewStaffAsync(Roles.Commander, "411200");
        Assert.Equal(HttpStatusCode.Forbidden, (await commander.PostAsJsonAsync($"/api/admin/staff/{cityAccount}/password", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await commander.GetAsync("/api/admin/staff")).StatusCode);

        // A county's administrator manages that county's accounts only.
        var countyAdmin = await factory.NewStaffAsync(Roles.Admin, "411202");
        Assert.Equal(HttpStatusCode.Forbidden, (await countyAdmin.PostAsJsonAsync($"/api/admin/staff/{cityAccount}/password", body)).StatusCode);
        var countyAccount = await NewAccountAsync(admin, Roles.VillageStaff, "411202");
        Assert.Equal(HttpStatusCode.NoContent, (await countyAdmin.PostAsJsonAsync($"/api/admin/staff/{countyAccount}/password", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/admin/staff/no-such-user-x/password", body)).StatusCode);

        // The refused resets changed nothing.
        Assert.Equal(HttpStatusCode.OK, await SignInAsync(cityAccount, Password));
    }

    [Fact]
    public async Task The_staff_list_filters_by_role_and_says_how_many_match()
    {
        var admin = await factory.AdminClientAsync();
        var auditor = await NewAccountAsync(admin, Roles.Auditor, "411203");
        await NewAccountAsync(admin, Roles.Hotline, "411203");

        var response = await admin.GetAsync("/api/admin/staff?role=auditor&jurisdiction=411203&take=500");
        response.EnsureSuccessStatusCode();
        var list = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(list.EnumerateArray(), a => Assert.Equal(Roles.Auditor, a.GetProperty("role").GetString()));
        Assert.Contains(list.EnumerateArray(), a => a.GetProperty("username").GetString() == auditor);
        Assert.Equal(list.GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Assert.Single(response.Headers.GetValues("X-Total-Count")));

        var bad = await admin.GetAsync("/api/admin/staff?role=emperor");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("role", out _));
    }

    private static int s_checkpointSequence;

    [Fact]
    public async Task Defining_a_checkpoint_is_audited_and_refused_to_non_administrators()
    {
        var admin = await factory.NewStaffAsync(Roles.Admin, "411200");
        var adminName = await SubjectAsync(admin);
        var village = (await factory.VillagesAsync())[0].Code;
        // Its own number range: the "api" collection shares one system, and CheckpointApiTests (9000+),
        // OfflinePassBatchApiTests (8000+) and CheckpointTemperatureApiTests (7000+) define checkpoints in the same village
        // (a random number once took one of theirs).
        var id = $"cp-{village}-{6000 + Interlocked.Increment(ref s_checkpointSequence):D4}";
        var request = new CreateCheckpointRequest(id, "审计检测点", village, null, null);

        var commander = await factory.NewStaffAsync(Roles.Commander, "411200");
        Assert.Equal(HttpStatusCode.Forbidden, (await commander.PostAsJsonAsync("/api/admin/checkpoints", request)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/admin/checkpoints", request)).StatusCode);

        var entries = await AuditAsync(admin, adminName);
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "checkpoint.define" && e.GetProperty("detail").GetString() == id
            && e.GetProperty("regionCode").GetString() == village);
    }
}
