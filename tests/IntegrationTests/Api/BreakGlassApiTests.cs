using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Break-the-glass (issue 19, item 3) on the fake domain clock: outside the jurisdiction a resident is refused; opening
/// a grant needs a reason; with one the staff member reads that resident (and no other) for the window, flagged on the
/// trail and listed on the auditor's break-the-glass filter; after the window the read is refused again.
/// </summary>
[Collection("audit")]
public sealed class BreakGlassApiTests(AuditApiFactory factory)
{
    [Fact]
    public async Task A_reason_opens_one_resident_outside_the_jurisdiction_for_the_window_only_and_the_auditor_sees_it()
    {
        var villages = await factory.VillagesAsync();
        var elsewhere = villages.Where(v => !v.Code.StartsWith(villages[0].Code[..6], StringComparison.Ordinal)).ToList();
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync(elsewhere[0].Code);
        var other = await new ResidentFlow(factory).SignInAsync();
        await other.RegisterAsync(elsewhere[0].Code);
        var staff = await factory.NewStaffAsync(Roles.VillageStaff, villages[0].Code);
        var username = await AuditReaderApiTests.UsernameAsync(staff);
        string Detail(ResidentFlow r) => $"/api/villages/{r.VillageCode}/residents/{r.ResidentKey}";

        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync(Detail(resident))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync($"/api/residents/{resident.ResidentKey}/passes")).StatusCode);

        // No reason, or too short a one: 400 naming the reason.
        foreach (var reason in new string?[] { null, "", "   ", "urgent" })
        {
            var refused = await staff.PostAsJsonAsync("/api/break-glass", new BreakGlassRequest(resident.IdNumber, null, reason));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("reason", out _));
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync(Detail(resident))).StatusCode);

        // A resident of the staff member's own village needs no grant.
        var local = await new ResidentFlow(factory).SignInAsync();
        await local.RegisterAsync(villages[0].Code);
        var notNeeded = await staff.PostAsJsonAsync("/api/break-glass", new BreakGlassRequest(local.IdNumber, null, "a reason long enough"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notNeeded.StatusCode);

        // With a reason: a grant for this resident, for 30 minutes of the domain clock.
        var opened = await staff.PostAsJsonAsync("/api/break-glass",
            new BreakGlassRequest(resident.IdNumber, null, "120 ambulance: unconscious patient, checking exposure history"));
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var grant = await opened.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(resident.ResidentKey, grant.GetProperty("residentKey").GetString());
        Assert.Equal(resident.VillageCode, grant.GetProperty("villageCode").GetString());
        Assert.Equal(factory.Clock.GetUtcNow() + TimeSpan.FromMinutes(30), grant.GetProperty("until").GetDateTimeOffset());

        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync(Detail(resident))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync($"/api/residents/{resident.ResidentKey}/passes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync(Detail(other))).StatusCode); // that resident only
        // Reads, not changes: the grant opens no village work on the resident.
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.PostAsJsonAsync($"{Detail(resident)}/clear-fever", new ClearFeverRequest("checked at home"))).StatusCode);

        // The auditor's break-the-glass filter lists the grant (with its reason) and the reads under it.
        var auditor = await factory.NewStaffAsync(Roles.Auditor, "411200");
        var flagged = await AuditReaderApiTests.SearchAsync(auditor, new { breakGlass = true, actor = username });
        var actions = flagged.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ToList();
        Assert.Contains("break-glass.open", actions);
        Assert.Contains("break-glass.resident.read", actions);
        Assert.Contains("break-glass.resident.passes.read", actions);
        Assert.All(flagged.GetProperty("items").EnumerateArray(), r => Assert.Equal(resident.ResidentKey, r.GetProperty("subjectKey").GetString()));
        var open = flagged.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("action").GetString() == "break-glass.open");
        Assert.Contains("unconscious patient", open.GetProperty("detail").GetString());
        Assert.DoesNotContain(resident.IdNumber, flagged.ToString());
        // Not flagged: its ordinary reads stay out of the break-the-glass list.
        Assert.DoesNotContain(actions, a => a == "resident.read");

        // After the window: refused again.
        factory.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync(Detail(resident))).StatusCode);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync(Detail(resident))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync($"/api/residents/{resident.ResidentKey}/passes")).StatusCode);
    }
}
