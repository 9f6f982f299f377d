using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Tickets;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Tickets;
using static Sanmenxia.IntegrationTests.Tickets.TicketApiFixture;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>Platforms 1 and 6 through the HTTP API: the whole life of a lead, refusals, deadlines on the fake clock, jurisdictions.</summary>
[Collection(TicketApiCollection.Name)]
public sealed class TicketApiTests(TicketApiFixture fixture)
{
    private const string Phone = "13812345678";

    private string Village(int i) => fixture.Villages[i].Code;
    private static string Township(string village) => village[..9];
    private static string County(string village) => village[..6];

    private async Task<string> FileLeadAsync(string village, string category = "PersonWithFever", bool withPhone = false)
    {
        var response = await fixture.Anonymous().PostAsJsonAsync("/api/tickets/leads", new LeadRequest(category, village, "东风路 3 号院", 34.77, 111.19,
            "3 号楼有人连续发烧，没有去医院", withPhone ? Phone : null, withPhone ? "张先生" : null, withPhone));
        var receipt = await JsonAsync(response, 201);
        var number = receipt.GetProperty("number").GetString()!;
        Assert.True(TicketNumbers.IsValid(number), number);
        Assert.Equal($"/api/tickets/public/{number}", response.Headers.Location?.OriginalString);
        return number;
    }

    private static async Task<JsonElement> ActAsync(HttpClient client, string number, string action, object? body, int status = 200) =>
        await JsonAsync(await client.PostAsJsonAsync($"/api/tickets/{number}/{action}", body ?? new { }), status);

    private static string State(JsonElement ticket) => ticket.GetProperty("state").GetString()!;

    [Fact]
    public async Task A_lead_filed_anonymously_goes_through_dispatch_a_reopening_and_feedback_to_closed()
    {
        var village = Village(0);
        var number = await FileLeadAsync(village, withPhone: true);

        var status = await JsonAsync(await fixture.Anonymous().GetAsync($"/api/tickets/public/{number}"), 200);
        Assert.Equal("Received", State(status));
        var publicText = status.GetRawText();
        foreach (var personal in new[] { "5678", "1381", "张", "发烧", "东风路", village }) Assert.DoesNotContain(personal, publicText);

        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var villageStaff = await fixture.NewStaffAsync("village", village);
        Assert.Equal("Accepted", State(await ActAsync(hotline, number, "accept", new AcceptTicketRequest("疫情相关"))));
        var dispatched = await ActAsync(hotline, number, "dispatch", new DispatchTicketRequest(null, village, "请村里上门核实"));
        Assert.Equal(("Dispatched", "Village", village), (State(dispatched), dispatched.GetProperty("assigneeKind").GetString(), dispatched.GetProperty("assignee").GetString()));

        // The village sees it in its queue and handles it.
        var queue = await JsonAsync(await villageStaff.GetAsync("/api/tickets/queue"), 200);
        Assert.Contains(number, queue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()));
        var seen = await JsonAsync(await villageStaff.GetAsync($"/api/tickets/{number}"), 200);
        Assert.Equal("138****5678", seen.GetProperty("contact").GetProperty("maskedPhone").GetString());
        Assert.DoesNotContain(Phone, seen.GetRawText());
        Assert.Equal("Handled", State(await ActAsync(villageStaff, number, "handle", new HandleTicketRequest("已上门测温 37.9 ℃，已送发热门诊"))));

        // The operator calls back (the clear number is read through an audited call) and the caller is not satisfied.
        var contact = await JsonAsync(await hotline.GetAsync($"/api/tickets/{number}/contact"), 200);
        Assert.Equal(Phone, contact.GetProperty("phone").GetString());
        var reopened = await ActAsync(hotline, number, "feedback", new FeedbackTicketRequest("NotSatisfied", "家属说没人来过"));
        Assert.Equal(("Dispatched", 1, village), (State(reopened), reopened.GetProperty("reopens").GetInt32(), reopened.GetProperty("assignee").GetString()));

        Assert.Equal("Handled", State(await ActAsync(villageStaff, number, "handle", new HandleTicketRequest("村医再次上门，已陪同就医"))));
        Assert.Equal("FeedbackGiven", State(await ActAsync(hotline, number, "feedback", new FeedbackTicketRequest("Satisfied", null))));
        var closed = await ActAsync(hotline, number, "close", new CloseTicketRequest("办结"));
        Assert.Equal("Closed", State(closed));
        Assert.Equal(["Received", "Accepted", "Dispatched", "Handled", "Feedback", "Reopened", "Handled", "Feedback", "Closed"],
            closed.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
        Assert.Equal([village], closed.GetProperty("hops").EnumerateArray().Select(h => h.GetString()!.Split(':')[1]));

        var final = await JsonAsync(await fixture.Anonymous().GetAsync($"/api/tickets/public/{number}"), 200);
        Assert.Equal("Closed", State(final));
        Assert.Equal(JsonValueKind.String, final.GetProperty("closedAt").ValueKind);
        var afterQueue = await JsonAsync(await villageStaff.GetAsync("/api/tickets/queue"), 200);
        Assert.DoesNotContain(number, afterQueue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()));

        // Every staff read and action is in the audit trail, the phone read included; the subject is the ticket number.
        var actions = (await fixture.Audit.QueryAsync(new(number, null, null, null, 0, 100))).Select(e => e.Action).ToList();
        foreach (var expected in new[] { "ticket.accept", "ticket.dispatch", "ticket.read", "ticket.handle", "ticket.contact.read", "ticket.feedback", "ticket.close" })
            Assert.Contains(expected, actions);
        Assert.Equal(2, actions.Count(a => a == "ticket.handle"));

        var figures = await JsonAsync(await hotline.GetAsync($"/api/tickets/figures?region={County(village)}"), 200);
        var total = figures.GetProperty("total");
        Assert.True(total.GetProperty("received").GetInt32() >= 1 && total.GetProperty("closed").GetInt32() >= 1, total.GetRawText());
        Assert.Equal(7, figures.GetProperty("days").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, total.GetProperty("medianHoursToClose").ValueKind);
    }

    /// <summary>Drives a new ticket (recorded by the hotline) into a state through the API as an administrator.</summary>
    private async Task<string> TicketInStateAsync(HttpClient admin, HttpClient hotline, TicketState state)
    {
        var response = await hotline.PostAsJsonAsync("/api/tickets", new CallRequest(null, "Report", "Gathering", Village(3), "广场", null, null, "广场有人聚集打牌", null, null, null));
        var number = (await JsonAsync(response, 201)).GetProperty("number").GetString()!;
        if (state == TicketState.Received) return number;
        if (state == TicketState.Rejected)
        {
            await ActAsync(admin, number, "reject", new RejectTicketRequest("NotEpidemicRelated", null, null));
            return number;
        }
        await ActAsync(admin, number, "accept", null);
        if (state == TicketState.Accepted) return number;
        await ActAsync(admin, number, "dispatch", new DispatchTicketRequest("public-security", null, null));
        if (state == TicketState.Dispatched) return number;
        await ActAsync(admin, number, "handle", new HandleTicketRequest("已劝散"));
        if (state == TicketState.Handled) return number;
        if (state == TicketState.Supervision)
        {
            await ActAsync(admin, number, "feedback", new FeedbackTicketRequest("NotSatisfied", null));
            await ActAsync(admin, number, "handle", new HandleTicketRequest("再次劝散"));
            Assert.Equal("Supervision", State(await ActAsync(admin, number, "feedback", new FeedbackTicketRequest("NotSatisfied", null))));
            return number;
        }
        await ActAsync(admin, number, "feedback", new FeedbackTicketRequest("Satisfied", null));
        if (state == TicketState.FeedbackGiven) return number;
        await ActAsync(admin, number, "close", null);
        return number;
    }

    private static readonly (TicketAction Action, string Path, object Body)[] Actions =
    [
        (TicketAction.Accept, "accept", new AcceptTicketRequest(null)),
        (TicketAction.Reject, "reject", new RejectTicketRequest("NotEpidemicRelated", null, null)),
        (TicketAction.Dispatch, "dispatch", new DispatchTicketRequest("transport", null, null)),
        (TicketAction.Handle, "handle", new HandleTicketRequest("结果")),
        (TicketAction.Feedback, "feedback", new FeedbackTicketRequest("Satisfied", null)),
        (TicketAction.Close, "close", new CloseTicketRequest(null)),
    ];

    [Fact]
    public async Task Every_illegal_transition_is_422_with_a_typed_code_and_changes_nothing()
    {
        var admin = await fixture.AdminAsync();
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var refused = 0;
        foreach (var state in Enum.GetValues<TicketState>())
        {
            var number = await TicketInStateAsync(admin, hotline, state);
            var before = await JsonAsync(await admin.GetAsync($"/api/tickets/{number}"), 200);
            Assert.Equal(state.ToString(), State(before));
            foreach (var (action, path, body) in Actions.Where(a => !TicketWorkflow.IsLegal(state, a.Action)))
            {
                var response = await admin.PostAsJsonAsync($"/api/tickets/{number}/{path}", body);
                var problem = await FoundationApiTests.AssertProblem(response, 422);
                Assert.Equal(TicketWorkflow.IllegalTransition, problem.GetProperty("code").GetString());
                Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), $"{state} {action}");
                refused++;
            }
            var after = await JsonAsync(await admin.GetAsync($"/api/tickets/{number}"), 200);
            Assert.Equal((State(before), before.GetProperty("steps").GetArrayLength()), (State(after), after.GetProperty("steps").GetArrayLength()));
        }
        Assert.Equal(8 * 6 - 11, refused);
    }

    [Fact]
    public async Task A_ticket_not_accepted_in_time_is_marked_overdue_and_escalated_to_its_township_by_its_reminder()
    {
        var village = Village(7);
        var number = await FileLeadAsync(village, "NoFeverCheckPoint");
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var commander = await fixture.NewStaffAsync("commander", Township(village));

        var fresh = await JsonAsync(await hotline.GetAsync($"/api/tickets/{number}"), 200);
        Assert.False(fresh.GetProperty("overdue").GetBoolean());
        var due = fresh.GetProperty("dueAt").GetDateTimeOffset();
        Assert.Equal(fresh.GetProperty("receivedAt").GetDateTimeOffset().AddHours(2), due);

        fixture.Clock.SetUtcNow(due.AddMinutes(1));
        // Only the reminder touches the grain now: the queue reads the read model, which the grain writes.
        var line = await EventuallyAsync(async () =>
        {
            var page = await JsonAsync(await commander.GetAsync($"/api/tickets/queue?escalated=true"), 200);
            return page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("number").GetString() == number)
                .Select(i => (JsonElement?)i).FirstOrDefault() is { } found ? new Box(found) : null;
        }, "the reminder marks the ticket overdue and escalates it");
        Assert.True(line.Value.GetProperty("overdue").GetBoolean());
        Assert.Equal((1, Township(village)), (line.Value.GetProperty("escalationLevel").GetInt32(), line.Value.GetProperty("escalatedTo").GetString()));

        var late = await JsonAsync(await commander.GetAsync($"/api/tickets/{number}"), 200);
        Assert.True(late.GetProperty("overdue").GetBoolean());
        var steps = late.GetProperty("steps").EnumerateArray().ToList();
        var overdueStep = steps.Single(s => s.GetProperty("kind").GetString() == "Overdue");
        Assert.Equal(due, overdueStep.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(("system", Township(village)), (steps.Single(s => s.GetProperty("kind").GetString() == "Escalated").GetProperty("actor").GetString()!,
            steps.Single(s => s.GetProperty("kind").GetString() == "Escalated").GetProperty("escalatedTo").GetString()));

        // The township's commander accepts it: no longer overdue, the escalation stays visible.
        var accepted = await ActAsync(commander, number, "accept", null);
        Assert.Equal((false, 1), (accepted.GetProperty("overdue").GetBoolean(), accepted.GetProperty("escalationLevel").GetInt32()));
        Assert.Equal(fixture.Clock.GetUtcNow().AddHours(24), accepted.GetProperty("dueAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_read_after_the_deadline_shows_it_at_once_whatever_the_reminder_did()
    {
        var number = await FileLeadAsync(Village(8), "Rumour");
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var due = (await JsonAsync(await hotline.GetAsync($"/api/tickets/{number}"), 200)).GetProperty("dueAt").GetDateTimeOffset();
        fixture.Clock.SetUtcNow(due.AddHours(25));
        var late = await JsonAsync(await hotline.GetAsync($"/api/tickets/{number}"), 200);
        Assert.Equal((true, 2, County(Village(8))), (late.GetProperty("overdue").GetBoolean(), late.GetProperty("escalationLevel").GetInt32(),
            late.GetProperty("escalatedTo").GetString()));
    }

    [Fact]
    public async Task Staff_act_only_within_their_role_and_jurisdiction()
    {
        var (mine, other) = (Village(10), Village(40));
        Assert.NotEqual(County(mine), County(other));
        var admin = await fixture.AdminAsync();
        var number = await FileLeadAsync(mine, "PriceGouging", withPhone: true);
        await ActAsync(admin, number, "accept", null);
        await ActAsync(admin, number, "dispatch", new DispatchTicketRequest(null, mine, null));

        var myVillage = await fixture.NewStaffAsync("village", mine);
        var otherVillage = await fixture.NewStaffAsync("village", other);
        var otherCommander = await fixture.NewStaffAsync("commander", County(other));
        var myCommander = await fixture.NewStaffAsync("commander", County(mine));
        var hotline = await fixture.NewStaffAsync("hotline", "411200");

        await FoundationApiTests.AssertProblem(await otherVillage.GetAsync($"/api/tickets/{number}"), 403);
        await FoundationApiTests.AssertProblem(await otherVillage.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest("x")), 403);
        await FoundationApiTests.AssertProblem(await otherVillage.GetAsync($"/api/tickets/queue?village={mine}"), 403);
        await FoundationApiTests.AssertProblem(await myVillage.PostAsJsonAsync($"/api/tickets/{number}/close", new CloseTicketRequest(null)), 403);
        await FoundationApiTests.AssertProblem(await myVillage.GetAsync($"/api/tickets/queue?department=transport"), 403);
        await FoundationApiTests.AssertProblem(await otherCommander.GetAsync($"/api/tickets/{number}"), 403);
        await FoundationApiTests.AssertProblem(await otherCommander.PostAsJsonAsync($"/api/tickets/{number}/close", new CloseTicketRequest(null)), 403);
        await FoundationApiTests.AssertProblem(await otherCommander.GetAsync($"/api/tickets/queue?region={County(mine)}"), 403);
        await FoundationApiTests.AssertProblem(await otherCommander.GetAsync($"/api/tickets/figures?region={County(mine)}"), 403);
        // The village handles what is dispatched to it, not the hotline; commanders never read clear phone numbers.
        await FoundationApiTests.AssertProblem(await hotline.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest("x")), 403);
        Assert.Equal(HttpStatusCode.Forbidden, (await myCommander.GetAsync($"/api/tickets/{number}/contact")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous().GetAsync($"/api/tickets/{number}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous().PostAsJsonAsync($"/api/tickets/{number}/accept", new { })).StatusCode);

        // Refusals took nothing: no audit entry from the refused callers.
        Assert.DoesNotContain(await fixture.Audit.QueryAsync(new(number, null, null, null, 0, 100)), e => e.ActorRole == "village" && e.Action != "ticket.read");

        Assert.Equal(number, (await JsonAsync(await myCommander.GetAsync($"/api/tickets/{number}"), 200)).GetProperty("number").GetString());
        Assert.Equal("Handled", State(await ActAsync(myVillage, number, "handle", new HandleTicketRequest("已约谈商户，价格已恢复"))));
        // Re-dispatched elsewhere, the village no longer sees it.
        await ActAsync(admin, number, "feedback", new FeedbackTicketRequest("NotSatisfied", null));
        await ActAsync(admin, number, "dispatch", new DispatchTicketRequest("market-supervision", null, "转市场监管"));
        await FoundationApiTests.AssertProblem(await myVillage.GetAsync($"/api/tickets/{number}"), 403);
        var departmentQueue = await JsonAsync(await hotline.GetAsync("/api/tickets/queue?department=market-supervision"), 200);
        Assert.Contains(number, departmentQueue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()));
        Assert.Equal("Handled", State(await ActAsync(hotline, number, "handle", new HandleTicketRequest("市场监管局已立案"))));
    }

    [Fact]
    public async Task Bad_fields_unknown_categories_regions_and_departments_are_400_problems()
    {
        async Task Fields(HttpResponseMessage response, params string[] fields)
        {
            var errors = (await FoundationApiTests.AssertProblem(response, 400)).GetProperty("errors");
            foreach (var field in fields) Assert.True(errors.TryGetProperty(field, out _), $"{field} in {errors.GetRawText()}");
        }
        var anonymous = fixture.Anonymous();
        var v = Village(2);
        await Fields(await anonymous.PostAsJsonAsync("/api/tickets/leads", new LeadRequest("Aliens", v, null, null, null, "x", null, null, null)), "category");
        await Fields(await anonymous.PostAsJsonAsync("/api/tickets/leads", new LeadRequest("3", v, null, null, null, "x", null, null, null)), "category");
        await Fields(await anonymous.PostAsJsonAsync("/api/tickets/leads", new LeadRequest("Gathering", "411202999999", null, null, null, "x", null, null, null)), "regionCode");
        await Fields(await anonymous.PostAsJsonAsync("/api/tickets/leads", new LeadRequest("Gathering", "110105", null, null, null, "x", null, null, null)), "regionCode");
        await Fields(await anonymous.PostAsJsonAsync("/api/tickets/leads", new LeadRequest("Gathering", v, new string('路', 201), 91, null, new string('x', 2001), "123", new string('名', 51), true)),
            "address", "latitude", "description", "phone", "name");
        await Fields(await anonymous.PostAsJsonAsync("/api/tickets/leads", new LeadRequest(null, v, null, null, null, null, null, null, true)), "category", "description", "phone");

        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        await Fields(await hotline.PostAsJsonAsync("/api/tickets", new CallRequest("Fax", null, null, v, null, null, null, "问隔离政策", null, null, null)), "source", "kind");
        await Fields(await hotline.PostAsJsonAsync("/api/tickets", new CallRequest(null, "Report", null, v, null, null, null, "有人聚集", null, null, null)), "category");
        var consultation = await JsonAsync(await hotline.PostAsJsonAsync("/api/tickets", new CallRequest(null, "Consultation", null, "411200", null, null, null, "返程需要隔离几天？", "13900001111", "李女士", false)), 201);
        var number = consultation.GetProperty("number").GetString()!;

        await ActAsync(hotline, number, "accept", null);
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{number}/dispatch", new DispatchTicketRequest("nasa", null, null)), "department");
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{number}/dispatch", new DispatchTicketRequest(null, "411202001999", null)), "village");
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{number}/dispatch", new DispatchTicketRequest(null, County(v), null)), "village");
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{number}/dispatch", new DispatchTicketRequest("transport", v, null)), "department");
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{number}/handle", new HandleTicketRequest(new string('x', 2001))), "result");
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{number}/feedback", new FeedbackTicketRequest("Meh", null)), "outcome");
        await Fields(await hotline.GetAsync("/api/tickets/queue?state=Closed&take=0&after=nonsense"), "state", "take", "after");

        // A duplicate must name an existing other ticket.
        var second = (await JsonAsync(await hotline.PostAsJsonAsync("/api/tickets", new CallRequest(null, "Consultation", null, v, null, null, null, "同上", null, null, null)), 201))
            .GetProperty("number").GetString()!;
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{second}/reject", new RejectTicketRequest("Duplicate", "12345-20000101-000001", null)), "duplicateOf");
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{second}/reject", new RejectTicketRequest("Duplicate", second, null)), "duplicateOf");
        await Fields(await hotline.PostAsJsonAsync($"/api/tickets/{second}/reject", new RejectTicketRequest("Boring", null, null)), "reason");
        var rejected = await ActAsync(hotline, second, "reject", new RejectTicketRequest("Duplicate", number, "同一来电人"));
        Assert.Equal(("Rejected", number), (State(rejected), rejected.GetProperty("duplicateOf").GetString()));

        await FoundationApiTests.AssertProblem(await hotline.GetAsync("/api/tickets/12345-20000101-000001"), 404);
        await FoundationApiTests.AssertProblem(await anonymous.GetAsync("/api/tickets/public/not-a-number"), 404);
        // No call back asked: no clear number was kept.
        await FoundationApiTests.AssertProblem(await hotline.GetAsync($"/api/tickets/{number}/contact"), 404);
    }

    [Fact]
    public async Task Queues_are_keyset_paged_overdue_first()
    {
        var village = Village(20);
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var numbers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            numbers.Add(await FileLeadAsync(village, "WildAnimalTrade"));
            fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        }
        // The newest is accepted: its handle deadline (24 h) comes after the others' accept deadlines (2 h).
        await ActAsync(hotline, numbers[2], "accept", null);
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await JsonAsync(await hotline.GetAsync($"/api/tickets/queue?region={village}&take=2" + (after is null ? "" : $"&after={after}")), 200);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!));
            after = page.GetProperty("next").GetString();
        } while (after is not null);
        Assert.Equal(numbers, seen);

        // Past the first two deadlines: those two are overdue and still first; the accepted one last.
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        var overdue = await JsonAsync(await hotline.GetAsync($"/api/tickets/queue?region={village}&take=10"), 200);
        Assert.Equal(numbers, overdue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!));
        Assert.Equal([true, true, false], overdue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("overdue").GetBoolean()));
        var accepted = await JsonAsync(await hotline.GetAsync($"/api/tickets/queue?region={village}&state=Accepted"), 200);
        Assert.Equal([numbers[2]], accepted.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!));
    }

    [Fact]
    public async Task The_catalogue_is_public_and_lists_the_ten_categories_and_the_departments()
    {
        var catalogue = await JsonAsync(await fixture.Anonymous().GetAsync("/api/tickets/catalogue"), 200);
        Assert.Equal(10, catalogue.GetProperty("categories").GetArrayLength());
        Assert.Equal(["health-commission", "market-supervision", "public-security", "transport"],
            catalogue.GetProperty("departments").EnumerateArray().Select(d => d.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Anonymous_leads_are_rate_limited_per_client()
    {
        // A factory of its own with a small allowance, so this test's traffic cannot starve the others'.
        await using var own = new ApiFactory();
        var client = own.WithWebHostBuilder(b => b.UseSetting("Tickets:PublicPermitsPerMinute", "3")).CreateClient();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await client.PostAsJsonAsync("/api/tickets/leads", new LeadRequest("Aliens", null, null, null, null, null, null, null, null));
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.NotNull(limited);
        Assert.True(limited.Headers.Contains("Retry-After"));
        Assert.Contains("reports", (await FoundationApiTests.AssertProblem(limited, 429)).GetProperty("detail").GetString());
    }

    private sealed record Box(JsonElement Value);
}
