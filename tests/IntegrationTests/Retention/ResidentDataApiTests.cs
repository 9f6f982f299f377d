using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Tickets;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.IntegrationTests.Retention;

/// <summary>A resident's download of what is held about them, and the village's deletion requests decided by an administrator.</summary>
[Collection("api")]
public sealed class ResidentDataApiTests(ApiFactory factory)
{
    [Fact]
    public async Task A_resident_downloads_their_own_data_with_the_staff_accesses_and_nobody_elses()
    {
        var village = (await factory.VillagesAsync())[31].Code;
        var a = await new ResidentFlow(factory).SignInAsync();
        await a.RegisterAsync(village, name: "张下载");
        await a.ApplyAsync();
        var b = await new ResidentFlow(factory).SignInAsync();
        await b.RegisterAsync(village, name: "李别人");
        var staff = await factory.NewStaffAsync("village", village);
        (await staff.GetAsync($"/api/villages/{village}/residents/{a.ResidentKey}")).EnsureSuccessStatusCode();
        var filed = await a.Client.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("FeverGone", "体温已正常 · fever gone"));
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var number = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;

        var response = await a.Client.GetAsync("/api/residents/me/data");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var data = JsonDocument.Parse(text).RootElement;
        Assert.Equal("张下载", data.GetProperty("profile").GetProperty("name").GetString());
        Assert.Equal(village, data.GetProperty("household").GetProperty("villageCode").GetString());
        Assert.NotEmpty(data.GetProperty("code").GetProperty("history").EnumerateArray());
        var accesses = data.GetProperty("staffAccesses").EnumerateArray().ToList();
        Assert.Contains(accesses, x => x.GetProperty("role").GetString() == "village" && x.GetProperty("actor").GetString()!.StartsWith("vi") && x.GetProperty("actor").GetString()!.Contains('*'));
        var appeal = Assert.Single(data.GetProperty("appeals").EnumerateArray());
        Assert.Equal(number, appeal.GetProperty("number").GetString());
        Assert.Equal("FeverGone", appeal.GetProperty("reason").GetString());
        Assert.NotEqual(JsonValueKind.Null, appeal.GetProperty("filedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, appeal.GetProperty("decision").ValueKind); // not answered yet
        Assert.Equal(JsonValueKind.Null, appeal.GetProperty("answeredAt").ValueKind);
        Assert.DoesNotContain("李别人", text);
        Assert.DoesNotContain(b.ResidentKey, text);
        // Another resident's download does not list a's appeal.
        var other = await b.Client.GetAsync("/api/residents/me/data");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var otherText = await other.Content.ReadAsStringAsync();
        Assert.Empty(JsonDocument.Parse(otherText).RootElement.GetProperty("appeals").EnumerateArray());
        Assert.DoesNotContain(number, otherText);
        Assert.DoesNotContain(a.IdNumber, text); // masked, as everywhere
        // The download itself is in the trail.
        var trail = await factory.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery(a.ResidentKey, null, null, null));
        Assert.Contains(trail, e => e.Action == "resident.data.download");
        // Staff have no such route.
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync("/api/residents/me/data")).StatusCode);
    }

    [Fact]
    public async Task A_deletion_request_is_recorded_by_the_village_and_carried_out_or_refused_by_an_administrator()
    {
        var village = (await factory.VillagesAsync())[32].Code;
        var a = await new ResidentFlow(factory).SignInAsync();
        await a.RegisterAsync(village, name: "赵删除");
        await a.ApplyAsync();
        var b = await new ResidentFlow(factory).SignInAsync();
        await b.RegisterAsync(village, name: "钱保留");
        var staff = await factory.NewStaffAsync("village", village);
        var admin = await factory.AdminClientAsync();
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var appealed = await a.Client.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("WrongColour", null));
        Assert.Equal(HttpStatusCode.Created, appealed.StatusCode);
        var appealNumber = (await appealed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        Assert.Single(await grains.GetGrain<Sanmenxia.Tickets.IResidentAppealsGrain>(a.ResidentKey).ListAsync());

        await FoundationApiTests.AssertProblem(await staff.PostAsJsonAsync($"/api/villages/{village}/deletion-requests", new { idNumber = a.IdNumber }), 400);
        var recorded = await staff.PostAsJsonAsync($"/api/villages/{village}/deletion-requests", new { idNumber = a.IdNumber, reason = "本人申请删除 · asked in person" });
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var request = await recorded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Requested", request.GetProperty("status").GetString());
        var repeated = await (await staff.PostAsJsonAsync($"/api/villages/{village}/deletion-requests", new { idNumber = a.IdNumber, reason = "again" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(request.GetProperty("id").GetString(), repeated.GetProperty("id").GetString()); // one open request per resident
        var refused = await (await staff.PostAsJsonAsync($"/api/villages/{village}/deletion-requests", new { idNumber = b.IdNumber, reason = "asked" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var list = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/deletion-requests");
        Assert.Equal(2, list.GetArrayLength());
        Assert.DoesNotContain(a.IdNumber, list.GetRawText());

        // Village staff cannot decide; an administrator can, with a reason.
        var id = request.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.PostAsJsonAsync($"/api/admin/deletion-requests/{village}/{id}/decision", new { carryOut = true, reason = "x" })).StatusCode);
        await FoundationApiTests.AssertProblem(await admin.PostAsJsonAsync($"/api/admin/deletion-requests/{village}/{id}/decision", new { carryOut = true }), 400);
        var decided = await admin.PostAsJsonAsync($"/api/admin/deletion-requests/{village}/{id}/decision", new { carryOut = true, reason = "请求合理 · granted" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("CarriedOut", (await decided.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request").GetProperty("status").GetString());
        await FoundationApiTests.AssertProblem(await admin.PostAsJsonAsync($"/api/admin/deletion-requests/{village}/{id}/decision", new { carryOut = false, reason = "late" }), 422);

        // The record is gone: from the grain (a fresh activation finds nothing), from the village's list, from the phone's sign-in.
        Assert.Null(await grains.GetGrain<Sanmenxia.Residents.IResidentGrain>(a.ResidentKey).GetProfileAsync());
        // The list of the resident's appeals is gone too; the appeal ticket stays as the village's work record (closed-ticket retention).
        Assert.Empty(await grains.GetGrain<Sanmenxia.Tickets.IResidentAppealsGrain>(a.ResidentKey).ListAsync());
        Assert.NotNull(await grains.GetGrain<Sanmenxia.Tickets.ITicketGrain>(appealNumber).GetAsync());
        await Eventually.Until(async () => await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/residents"),
            page => !page.GetRawText().Contains(a.ResidentKey), TimeSpan.FromSeconds(10), "the erased resident leaves the village list");
        Assert.NotEqual(HttpStatusCode.OK, (await a.Client.GetAsync("/api/residents/me")).StatusCode);
        Assert.Contains(await factory.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery(a.ResidentKey, "admin", null, null)),
            e => e.Action == "resident.erase");

        // The other request is refused with a reason; that resident stays.
        var refusal = await admin.PostAsJsonAsync($"/api/admin/deletion-requests/{village}/{refused.GetProperty("id").GetString()}/decision",
            new { carryOut = false, reason = "仍在隔离期 · still in observation" });
        Assert.Equal("Refused", (await refusal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request").GetProperty("status").GetString());
        Assert.NotNull(await grains.GetGrain<Sanmenxia.Residents.IResidentGrain>(b.ResidentKey).GetProfileAsync());
    }
}
