using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Security;

/// <summary>
/// Issue 16, item 4: a household head adding a stranger's ID number as a phoneless member made it theirs for good. Now the
/// member is provisional until the village confirms it; the person registering for themselves (or the village's import)
/// takes the record over; the village confirms or reverses; a provisional member's code is not shown as a QR.
/// </summary>
[Collection("api")]
public sealed class HouseholdClaimTests(ApiFactory factory)
{
    private async Task<(ResidentFlow Head, string MemberId, string MemberKey)> ClaimAsync(string? village = null)
    {
        var head = await new ResidentFlow(factory).SignInAsync();
        await head.RegisterAsync(village);
        var memberId = ResidentFlow.NewIdNumber();
        var added = await head.Client.PostAsJsonAsync("/api/households/mine/members", new AddMemberRequest("冒名", memberId, null));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var member = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(member.GetProperty("provisional").GetBoolean());
        return (head, memberId, member.GetProperty("residentKey").GetString()!);
    }

    private static async Task<JsonElement> ClaimsAsync(HttpClient village, string code) =>
        await village.GetFromJsonAsync<JsonElement>($"/api/villages/{code}/claims");

    private static bool Lists(JsonElement claims, string key) => claims.EnumerateArray().Any(c => c.GetProperty("residentKey").GetString() == key);

    [Fact]
    public async Task The_person_registering_with_their_own_phone_takes_over_a_provisional_claim()
    {
        var (head, memberId, memberKey) = await ClaimAsync();
        (await head.Client.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/apply", new ApplyRequest(36.5m, true))).EnsureSuccessStatusCode();
        var village = await factory.NewStaffAsync(Roles.VillageStaff, head.VillageCode[..6]);
        Assert.True(Lists(await ClaimsAsync(village, head.VillageCode), memberKey));

        // The real person, in their own village, with their own phone.
        var villages = await factory.VillagesAsync();
        var own = villages.First(v => v.Code != head.VillageCode && v.Code[..6] == head.VillageCode[..6]).Code;
        var real = await new ResidentFlow(factory).SignInAsync();
        var registered = await real.Client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("真人", memberId, own, real.Phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        real.Client.DefaultRequestHeaders.Authorization = new("Bearer", body.GetProperty("token").GetString());
        var profile = body.GetProperty("profile");
        Assert.Equal(memberKey, profile.GetProperty("residentKey").GetString());
        Assert.Equal("真人", profile.GetProperty("name").GetString());
        Assert.Equal(own, profile.GetProperty("villageCode").GetString());
        Assert.False(profile.GetProperty("provisional").GetBoolean());

        // Out of the claimer's household and off the village's worklist; the claimer can no longer act for them.
        var household = await head.Client.GetFromJsonAsync<JsonElement>("/api/households/mine");
        Assert.DoesNotContain(household.GetProperty("members").EnumerateArray(), m => m.GetProperty("residentKey").GetString() == memberKey);
        Assert.False(Lists(await ClaimsAsync(village, head.VillageCode), memberKey));
        Assert.Equal(HttpStatusCode.Forbidden, (await head.Client.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/clock-in", new ClockInRequest(36.5m, []))).StatusCode);
        // Their own household, with them as head, and their own QR.
        var mine = await real.Client.GetFromJsonAsync<JsonElement>("/api/households/mine");
        Assert.Equal(memberKey, mine.GetProperty("headResidentKey").GetString());
        Assert.Equal(HttpStatusCode.OK, (await real.Client.GetAsync("/api/residents/me/code/qr")).StatusCode);
    }

    [Fact]
    public async Task The_village_reverses_a_claim_and_the_id_number_is_free_for_its_owner()
    {
        var (head, memberId, memberKey) = await ClaimAsync();
        (await head.Client.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/apply", new ApplyRequest(36.5m, true))).EnsureSuccessStatusCode();
        var county = head.VillageCode[..6];
        var foreignCounty = (await factory.VillagesAsync()).First(v => v.Code[..6] != county).Code[..6];
        var foreign = await factory.NewStaffAsync(Roles.VillageStaff, foreignCounty);
        Assert.Equal(HttpStatusCode.Forbidden, (await foreign.GetAsync($"/api/villages/{head.VillageCode}/claims")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await foreign.PostAsJsonAsync($"/api/villages/{head.VillageCode}/claims/{memberKey}/reverse", new ReasonRequest("x"))).StatusCode);

        var village = await factory.NewStaffAsync(Roles.VillageStaff, county);
        var reversed = await village.PostAsJsonAsync($"/api/villages/{head.VillageCode}/claims/{memberKey}/reverse", new ReasonRequest("not of this household"));
        Assert.Equal(HttpStatusCode.OK, reversed.StatusCode);
        Assert.False(Lists(await ClaimsAsync(village, head.VillageCode), memberKey));
        var household = await head.Client.GetFromJsonAsync<JsonElement>("/api/households/mine");
        Assert.Single(household.GetProperty("members").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await village.GetAsync($"/api/villages/{head.VillageCode}/residents/{memberKey}")).StatusCode);
        // Reversing again finds nothing to reverse.
        Assert.Equal(HttpStatusCode.NotFound, (await village.PostAsJsonAsync($"/api/villages/{head.VillageCode}/claims/{memberKey}/reverse", new ReasonRequest(null))).StatusCode);

        // The owner registers fresh: no code the claimer applied for is theirs.
        var real = await new ResidentFlow(factory).SignInAsync();
        var registered = await real.Client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("真人", memberId, head.VillageCode, real.Phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        real.Client.DefaultRequestHeaders.Authorization = new("Bearer", (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        Assert.Equal("None", (await real.CodeAsync()).GetProperty("explanation").GetProperty("colour").GetString());

        var audit = await (await factory.AdminClientAsync()).GetFromJsonAsync<JsonElement>($"/api/admin/audit?subject={memberKey}");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "household.claim.reverse");
    }

    [Fact]
    public async Task A_provisional_member_may_clock_in_but_shows_no_qr_until_the_village_confirms()
    {
        var (head, _, memberKey) = await ClaimAsync();
        (await head.Client.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/apply", new ApplyRequest(36.5m, true))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await head.Client.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/clock-in", new ClockInRequest(36.5m, []))).StatusCode);

        var code = await head.Client.GetFromJsonAsync<JsonElement>($"/api/households/mine/members/{memberKey}/code");
        Assert.True(code.GetProperty("provisional").GetBoolean());
        Assert.Contains("awaiting the village", code.GetProperty("note").GetString());
        var qr = await head.Client.GetAsync($"/api/households/mine/members/{memberKey}/code/qr");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, qr.StatusCode);
        Assert.Equal("application/problem+json", qr.Content.Headers.ContentType?.MediaType);
        Assert.Equal("code.provisional", (await qr.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        var village = await factory.NewStaffAsync(Roles.VillageStaff, head.VillageCode[..6]);
        Assert.Equal(HttpStatusCode.OK, (await village.PostAsync($"/api/villages/{head.VillageCode}/claims/{memberKey}/confirm", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await head.Client.GetAsync($"/api/households/mine/members/{memberKey}/code/qr")).StatusCode);
        Assert.False((await head.Client.GetFromJsonAsync<JsonElement>($"/api/households/mine/members/{memberKey}/code")).GetProperty("provisional").GetBoolean());
    }

    [Fact]
    public async Task The_person_refused_by_a_confirmed_claim_is_sent_to_the_village_which_sees_the_contest()
    {
        var (head, memberId, memberKey) = await ClaimAsync();
        var village = await factory.NewStaffAsync(Roles.VillageStaff, head.VillageCode[..6]);
        (await village.PostAsync($"/api/villages/{head.VillageCode}/claims/{memberKey}/confirm", null)).EnsureSuccessStatusCode();
        Assert.False(Lists(await ClaimsAsync(village, head.VillageCode), memberKey));

        var real = await new ResidentFlow(factory).SignInAsync();
        var refused = await real.Client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("真人", memberId, head.VillageCode, real.Phone));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("registration.claimed-by-household", problem.GetProperty("code").GetString());
        Assert.Contains("village committee", problem.GetProperty("detail").GetString());

        var contested = (await ClaimsAsync(village, head.VillageCode)).EnumerateArray().Single(c => c.GetProperty("residentKey").GetString() == memberKey);
        Assert.True(contested.GetProperty("confirmed").GetBoolean());
        Assert.Equal(1, contested.GetProperty("contests").GetInt32());
        // The village reverses it, and the person registers.
        (await village.PostAsJsonAsync($"/api/villages/{head.VillageCode}/claims/{memberKey}/reverse", new ReasonRequest("contested by the owner"))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created,
            (await real.Client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("真人", memberId, head.VillageCode, real.Phone))).StatusCode);
    }

    [Fact]
    public async Task The_villages_import_takes_over_a_provisional_claim()
    {
        var (head, memberId, memberKey) = await ClaimAsync();
        var village = await factory.NewStaffAsync(Roles.VillageStaff, head.VillageCode[..6]);
        var csv = $"household,name,id_number,phone,village_code,head\nclaim-{Guid.NewGuid():N},真人,{memberId},,{head.VillageCode},true\n";
        var report = await (await village.PostAsync("/api/admin/residents/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, report.GetProperty("imported").GetInt32());
        Assert.Empty(report.GetProperty("errors").EnumerateArray());
        var household = await head.Client.GetFromJsonAsync<JsonElement>("/api/households/mine");
        Assert.Single(household.GetProperty("members").EnumerateArray());
        Assert.False(Lists(await ClaimsAsync(village, head.VillageCode), memberKey));
    }

    [Fact]
    public async Task A_second_head_claiming_the_same_id_number_is_told_the_village_decides()
    {
        var (head, memberId, memberKey) = await ClaimAsync();
        var other = await new ResidentFlow(factory).SignInAsync();
        await other.RegisterAsync(head.VillageCode);
        var refused = await other.Client.PostAsJsonAsync("/api/households/mine/members", new AddMemberRequest("也冒名", memberId, null));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("registration.claimed-by-household", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var village = await factory.NewStaffAsync(Roles.VillageStaff, head.VillageCode[..6]);
        var claim = (await ClaimsAsync(village, head.VillageCode)).EnumerateArray().Single(c => c.GetProperty("residentKey").GetString() == memberKey);
        Assert.Equal(1, claim.GetProperty("contests").GetInt32());
        Assert.False(claim.GetProperty("confirmed").GetBoolean());
    }
}
