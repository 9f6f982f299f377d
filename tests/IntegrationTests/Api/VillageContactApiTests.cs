using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Regions;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Issue 17: a village's public duty phone, set by its staff or an administrator (audited), refused with field errors when
/// malformed and with 403 for a commander or another village's staff, and carried by the resident's code reads.
/// </summary>
[Collection("api")]
public sealed class VillageContactApiTests(ApiFactory factory)
{
    [Fact]
    public async Task Village_staff_set_the_duty_phone_and_the_residents_code_carries_it()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync();
        await resident.ApplyAsync();
        var village = resident.VillageCode;
        var staff = await factory.NewStaffAsync(Roles.VillageStaff, village);

        var empty = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/contact");
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("dutyPhone").ValueKind);

        var set = await staff.PutAsJsonAsync($"/api/villages/{village}/contact", new VillageContactRequest(" 0398-282 1234 "));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("0398-2821234", (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dutyPhone").GetString());
        var read = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/contact");
        Assert.Equal("0398-2821234", read.GetProperty("dutyPhone").GetString());
        Assert.False(string.IsNullOrEmpty(read.GetProperty("updatedBy").GetString()));

        // Every code read of the resident carries it, with the village it belongs to.
        var code = await resident.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/code");
        Assert.Equal("0398-2821234", code.GetProperty("villageContact").GetString());
        Assert.Equal(village, code.GetProperty("villageCode").GetString());
        var overview = await resident.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Equal("0398-2821234", overview.GetProperty("code").GetProperty("villageContact").GetString());
        var clockIn = await resident.Client.PostAsJsonAsync("/api/residents/me/clock-in", new ClockInRequest(36.5m, []));
        Assert.Equal("0398-2821234", (await clockIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("villageContact").GetString());

        // The change is on the audit trail.
        var admin = await factory.AdminClientAsync();
        var audit = await admin.PostAsJsonAsync("/api/audit/search",
            new AuditSearchRequest(null, null, null, "village.contact.set", village, null, null, null, null, 50));
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        var rows = (await audit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(rows, r => r.GetProperty("detail").GetString() == "dutyPhone=0398-2821234" && r.GetProperty("regionCode").GetString() == village);

        // Cleared with an empty value: gone from the code.
        Assert.Equal(HttpStatusCode.OK, (await staff.PutAsJsonAsync($"/api/villages/{village}/contact", new VillageContactRequest(""))).StatusCode);
        var cleared = await resident.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/code");
        Assert.True(!cleared.TryGetProperty("villageContact", out var contact) || contact.ValueKind == JsonValueKind.Null);
    }

    [Theory]
    [InlineData("0398 282 12ab", DutyPhone.BadCharacters)]
    [InlineData("+86-398-2821234", DutyPhone.BadCharacters)]
    [InlineData("12345", DutyPhone.BadLength)]
    [InlineData("0398-28212341234567890", DutyPhone.BadLength)]
    [InlineData("-0398-282123", DutyPhone.BadShape)]
    [InlineData("0398--2821234", DutyPhone.BadShape)]
    public async Task A_malformed_duty_phone_is_refused_naming_the_field(string phone, string reason)
    {
        var village = (await factory.VillagesAsync())[0].Code;
        var staff = await factory.NewStaffAsync(Roles.VillageStaff, village);
        var response = await staff.PutAsJsonAsync($"/api/villages/{village}/contact", new VillageContactRequest(phone));
        var problem = await FoundationApiTests.AssertProblem(response, 400);
        Assert.Equal(reason, problem.GetProperty("errors").GetProperty("dutyPhone")[0].GetString());
    }

    [Fact]
    public async Task A_commander_and_another_villages_staff_may_not_set_it()
    {
        var villages = await factory.VillagesAsync();
        var village = villages[0].Code;
        var other = villages.First(v => v.Code[..9] != village[..9]).Code;
        var commander = await factory.NewStaffAsync(Roles.Commander, "411200");
        Assert.Equal(HttpStatusCode.Forbidden,
            (await commander.PutAsJsonAsync($"/api/villages/{village}/contact", new VillageContactRequest("0398-2821234"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await commander.GetAsync($"/api/villages/{village}/contact")).StatusCode);
        var stranger = await factory.NewStaffAsync(Roles.VillageStaff, other);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await stranger.PutAsJsonAsync($"/api/villages/{village}/contact", new VillageContactRequest("0398-2821234"))).StatusCode);
        var admin = await factory.AdminClientAsync();
        Assert.Equal(HttpStatusCode.OK,
            (await admin.PutAsJsonAsync($"/api/villages/{village}/contact", new VillageContactRequest("12345-678"))).StatusCode);
    }
}
