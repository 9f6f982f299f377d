using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Tickets;
using Sanmenxia.IntegrationTests.Api;
using static Sanmenxia.IntegrationTests.Tickets.TicketApiFixture;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>
/// Residents' appeals (issue 14, "Appeals") and the resident behind a lead through the HTTP API: filing, the one open appeal,
/// roles and jurisdictions, the village's answer seen by the resident, a fever cleared turning the code green; a signed-in
/// resident's lead carrying their key; a lead about a person registered as a key-person entry in one step.
/// </summary>
[Collection(TicketApiCollection.Name)]
public sealed class AppealApiTests(TicketApiFixture fixture)
{
    private sealed record Resident(HttpClient Client, string Key, string IdNumber, string Village, string Name);

    private async Task<Resident> NewResidentAsync(string village, string name = "李申诉", decimal? feverAfterApply = 38.4m)
    {
        var client = fixture.Anonymous();
        var phone = ResidentFlow.NewPhone();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var admin = await fixture.AdminAsync();
        var outbox = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone)), 200);
        var login = await JsonAsync(await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, outbox.GetProperty("code").GetString())), 200);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        var id = ResidentFlow.NewIdNumber();
        var registered = await JsonAsync(await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest(name, id, village, phone)), 201);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", registered.GetProperty("token").GetString());
        await JsonAsync(await client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(36.5m, true)), 200);
        if (feverAfterApply is { } t) await JsonAsync(await client.PostAsJsonAsync("/api/residents/me/clock-in", new ClockInRequest(t, [])), 200);
        return new Resident(client, registered.GetProperty("profile").GetProperty("residentKey").GetString()!, id, village, name);
    }

    private static async Task<string> ColourAsync(Resident r) =>
        (await JsonAsync(await r.Client.GetAsync("/api/residents/me/code"), 200)).GetProperty("explanation").GetProperty("colour").GetString()!;

    private static async Task<JsonElement> AppealsAsync(Resident r) => await JsonAsync(await r.Client.GetAsync("/api/residents/me/appeals"), 200);

    [Fact]
    public async Task An_appeal_goes_to_the_residents_village_once_and_clearing_the_fever_then_answering_turns_the_code_green_on_the_residents_page()
    {
        var village = fixture.Villages[11].Code;
        var r = await NewResidentAsync(village);
        Assert.Equal("Yellow", await ColourAsync(r));

        var filed = await JsonAsync(await r.Client.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("FeverGone", "昨天起体温正常 36.6 ℃")), 201);
        var number = filed.GetProperty("number").GetString()!;
        Assert.Equal(("Dispatched", true, "FeverGone"), (filed.GetProperty("state").GetString(), filed.GetProperty("awaitsAnswer").GetBoolean(),
            filed.GetProperty("reason").GetString()));
        Assert.NotEqual(JsonValueKind.Null, filed.GetProperty("dueAt").ValueKind);

        // One open appeal per resident: the second names the first.
        var second = await JsonAsync(await r.Client.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("WrongColour", null)), 409);
        Assert.Equal((AppealEndpoints.AlreadyOpenCode, number), (second.GetProperty("code").GetString(), second.GetProperty("number").GetString()));

        // The village sees it in its queue; the ticket carries the pseudonymous key, never the clear ID.
        var staff = await fixture.NewStaffAsync("village", village);
        var queue = await JsonAsync(await staff.GetAsync($"/api/tickets/queue?village={village}"), 200);
        Assert.Contains(number, queue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()));
        var ticket = await JsonAsync(await staff.GetAsync($"/api/tickets/{number}"), 200);
        Assert.Equal(("Appeal", "ResidentAppeal", r.Key, "FeverGone", village), (ticket.GetProperty("kind").GetString(), ticket.GetProperty("source").GetString(),
            ticket.GetProperty("residentKey").GetString(), ticket.GetProperty("appealReason").GetString(), ticket.GetProperty("assignee").GetString()));
        Assert.DoesNotContain(r.IdNumber, ticket.GetRawText());
        Assert.Equal(new[] { "Received", "Accepted", "Dispatched" }, ticket.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("kind").GetString()));

        // The resident as staff see them: masked name, today's code and reason; the read is audited.
        var person = await JsonAsync(await staff.GetAsync($"/api/tickets/{number}/resident"), 200);
        Assert.Equal(("李*诉", "Yellow", true), (person.GetProperty("maskedName").GetString(), person.GetProperty("colour").GetString(), person.GetProperty("fever").GetBoolean()));
        Assert.DoesNotContain(r.Name, person.GetRawText());
        Assert.Contains(await fixture.Audit.QueryAsync(new(r.Key, null, null, null, 0, 100)), e => e.Action == "ticket.resident.read");

        // Answering needs a decision; the fever is cleared by the existing action, then the result recorded.
        var noDecision = await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest("已核实")), 422);
        Assert.Equal("ticket.missing-field", noDecision.GetProperty("code").GetString());
        await JsonAsync(await staff.PostAsJsonAsync($"/api/villages/{village}/residents/{r.Key}/clear-fever", new ClearFeverRequest("上门测温 36.5 ℃")), 200);
        var handled = await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest("已上门复测，体温正常，已解除发热标记", "Resolved")), 200);
        Assert.Equal(("Handled", "Resolved"), (handled.GetProperty("state").GetString(), handled.GetProperty("appealDecision").GetString()));

        var mine = (await AppealsAsync(r)).EnumerateArray().Single();
        Assert.Equal((number, "Handled", false, "Resolved", "已上门复测，体温正常，已解除发热标记"), (mine.GetProperty("number").GetString(), mine.GetProperty("state").GetString(),
            mine.GetProperty("awaitsAnswer").GetBoolean(), mine.GetProperty("decision").GetString(), mine.GetProperty("answer").GetString()));
        Assert.Equal("Green", await ColourAsync(r));

        // Answered: the resident may appeal again.
        await JsonAsync(await r.Client.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("Other", "再次申诉")), 201);
        Assert.Equal(2, (await AppealsAsync(r)).GetArrayLength());
    }

    [Fact]
    public async Task A_rejected_appeal_shows_the_villages_reason_to_the_resident()
    {
        var village = fixture.Villages[12].Code;
        var r = await NewResidentAsync(village, "赵驳回");
        var number = (await JsonAsync(await r.Client.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("WrongColour", null)), 201)).GetProperty("number").GetString();
        var staff = await fixture.NewStaffAsync("village", village);
        await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest("今日上报体温 38.4 ℃，须复测后再申诉", "Rejected")), 200);

        var mine = (await AppealsAsync(r)).EnumerateArray().Single();
        Assert.Equal(("Rejected", "今日上报体温 38.4 ℃，须复测后再申诉"), (mine.GetProperty("decision").GetString(), mine.GetProperty("answer").GetString()));
        Assert.Equal("Yellow", await ColourAsync(r));
    }

    [Fact]
    public async Task Appeals_refuse_bad_fields_other_roles_and_other_villages()
    {
        var village = fixture.Villages[13].Code;
        var r = await NewResidentAsync(village, "钱校验");
        async Task Bad(object body, string field)
        {
            var problem = await JsonAsync(await r.Client.PostAsJsonAsync("/api/residents/me/appeals", body), 400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        }
        await Bad(new AppealRequest(null, null), "reason");
        await Bad(new AppealRequest("Sunshine", null), "reason");
        await Bad(new AppealRequest("3", null), "reason");
        await Bad(new AppealRequest("Other", " "), "note");
        await Bad(new AppealRequest("WrongColour", new string('长', 501)), "note");
        await Bad(new AppealRequest("WrongColour", "a\u0007b"), "note");
        Assert.Equal(0, (await AppealsAsync(r)).GetArrayLength());

        // Staff are not residents; anonymous callers are not signed in.
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        Assert.Equal(403, (int)(await hotline.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("WrongColour", null))).StatusCode);
        Assert.Equal(401, (int)(await fixture.Anonymous().PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("WrongColour", null))).StatusCode);

        var number = (await JsonAsync(await r.Client.PostAsJsonAsync("/api/residents/me/appeals", new AppealRequest("NotKeyPerson", null)), 201)).GetProperty("number").GetString();
        // The 12345 centre does not answer what is dispatched to a village; another village neither sees nor answers it.
        Assert.Equal(403, (int)(await hotline.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest("x", "Resolved"))).StatusCode);
        var other = await fixture.NewStaffAsync("village", fixture.Villages[40].Code);
        Assert.Equal(403, (int)(await other.GetAsync($"/api/tickets/{number}")).StatusCode);
        Assert.Equal(403, (int)(await other.GetAsync($"/api/tickets/{number}/resident")).StatusCode);
        Assert.Equal(403, (int)(await other.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest("x", "Resolved"))).StatusCode);
        var staff = await fixture.NewStaffAsync("village", village);
        var unknown = await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest("x", "Maybe")), 400);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("decision", out _));
        Assert.Equal("Dispatched", (await AppealsAsync(r)).EnumerateArray().Single().GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_signed_in_residents_lead_carries_their_key_and_an_anonymous_one_does_not()
    {
        var village = fixture.Villages[14].Code;
        var r = await NewResidentAsync(village, "孙上报", feverAfterApply: null);
        var lead = new LeadRequest("Gathering", village, "村口广场", null, null, "广场上有二十多人打牌", null, null, null);
        var signed = (await JsonAsync(await r.Client.PostAsJsonAsync("/api/tickets/leads", lead), 201)).GetProperty("number").GetString();
        var anonymous = (await JsonAsync(await fixture.Anonymous().PostAsJsonAsync("/api/tickets/leads", lead), 201)).GetProperty("number").GetString();

        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var ticket = await JsonAsync(await hotline.GetAsync($"/api/tickets/{signed}"), 200);
        Assert.Equal(r.Key, ticket.GetProperty("residentKey").GetString());
        Assert.Equal("resident", ticket.GetProperty("steps")[0].GetProperty("actor").GetString());
        var reporter = await JsonAsync(await hotline.GetAsync($"/api/tickets/{signed}/resident"), 200);
        Assert.Equal("孙*报", reporter.GetProperty("maskedName").GetString());
        Assert.Matches(@"^\d{3}\*{4}\d{4}$", reporter.GetProperty("maskedPhone").GetString());
        Assert.Contains(await fixture.Audit.QueryAsync(new(r.Key, null, null, null, 0, 100)), e => e.Action == "ticket.resident.read" && e.Detail == $"ticket={signed}");

        Assert.Equal(JsonValueKind.Null, (await JsonAsync(await hotline.GetAsync($"/api/tickets/{anonymous}"), 200)).GetProperty("residentKey").ValueKind);
        Assert.Equal(404, (int)(await hotline.GetAsync($"/api/tickets/{anonymous}/resident")).StatusCode);
    }

    [Fact]
    public async Task A_lead_about_a_person_confirmed_by_the_village_becomes_a_key_person_entry_and_handles_the_ticket_in_one_step()
    {
        var village = fixture.Villages[15].Code;
        var person = await NewResidentAsync(village, "周返乡", feverAfterApply: null);
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var staff = await fixture.NewStaffAsync("village", village);
        async Task<string> DispatchedLeadAsync(string category)
        {
            var number = (await JsonAsync(await fixture.Anonymous().PostAsJsonAsync("/api/tickets/leads",
                new LeadRequest(category, village, "5 组", null, null, "邻居刚从武汉回来，没有登记", null, null, null)), 201)).GetProperty("number").GetString()!;
            await JsonAsync(await hotline.PostAsJsonAsync($"/api/tickets/{number}/accept", new AcceptTicketRequest(null)), 200);
            await JsonAsync(await hotline.PostAsJsonAsync($"/api/tickets/{number}/dispatch", new DispatchTicketRequest(null, village, null)), 200);
            return number;
        }
        var lead = await DispatchedLeadAsync("BackFromWuhan");
        Assert.Equal("FromWuhan", (await JsonAsync(await staff.GetAsync($"/api/tickets/{lead}"), 200)).GetProperty("suggestedKeyPersonCategory").GetString());
        var today = fixture.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).Date;
        var exposure = DateOnly.FromDateTime(today.AddDays(-2));

        // Bad fields: 400 and nothing registered, the ticket untouched.
        var bad = await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{lead}/key-person",
            new TicketKeyPersonRequest("12345", null, null, null, "HomeIsolation", null, null, null)), 400);
        foreach (var field in new[] { "idNumber", "exposureDate", "result" }) Assert.True(bad.GetProperty("errors").TryGetProperty(field, out _), bad.GetRawText());
        // The 12345 centre does not handle what is dispatched to a village.
        Assert.Equal(403, (int)(await hotline.PostAsJsonAsync($"/api/tickets/{lead}/key-person",
            new TicketKeyPersonRequest(person.IdNumber, null, exposure, "武汉", "HomeIsolation", null, null, "x"))).StatusCode);

        var done = await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{lead}/key-person",
            new TicketKeyPersonRequest(person.IdNumber, null, exposure, "武汉", "HomeIsolation", null, null, "已上门核实，居家隔离")), 200);
        Assert.Equal(("Handled", "FromWuhan", "周*乡"), (done.GetProperty("ticket").GetProperty("state").GetString(),
            done.GetProperty("entry").GetProperty("category").GetString(), done.GetProperty("maskedName").GetString()));
        Assert.Contains("已上门核实，居家隔离", done.GetProperty("ticket").GetProperty("result").GetString());
        var register = await JsonAsync(await staff.GetAsync($"/api/villages/{village}/key-persons"), 200);
        Assert.Contains(register.GetProperty("lines").EnumerateArray(), l => l.GetProperty("residentKey").GetString() == person.Key
            && l.GetProperty("entry").GetProperty("source").GetString() == $"lead {lead}");
        Assert.Equal("Red", await ColourAsync(person));

        // Handled already: a second registration is an illegal transition and registers nothing.
        await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{lead}/key-person",
            new TicketKeyPersonRequest(person.IdNumber, null, exposure, "武汉", "HomeIsolation", null, null, "再次")), 422);
        // Not a lead about a person; a person who does not live in the village.
        var gathering = await DispatchedLeadAsync("Gathering");
        Assert.Equal("ticket.not-about-a-person", (await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{gathering}/key-person",
            new TicketKeyPersonRequest(person.IdNumber, "FromWuhan", exposure, "武汉", "HomeIsolation", null, null, "x")), 422)).GetProperty("code").GetString());
        var fever = await DispatchedLeadAsync("PersonWithFever");
        await JsonAsync(await staff.PostAsJsonAsync($"/api/tickets/{fever}/key-person",
            new TicketKeyPersonRequest(ResidentFlow.NewIdNumber(), null, exposure, null, "HomeIsolation", null, null, "x")), 404);
        Assert.Equal("Dispatched", (await JsonAsync(await staff.GetAsync($"/api/tickets/{fever}"), 200)).GetProperty("state").GetString());
    }
}
