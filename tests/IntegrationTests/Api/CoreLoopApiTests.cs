using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>The core loop through the HTTP API, with the fake clock walking through the days.</summary>
[Collection("api")]
public sealed class CoreLoopApiTests(ApiFactory factory)
{
    private static string Colour(JsonElement code) => code.GetProperty("explanation").GetProperty("colour").GetString()!;

    /// <summary>Moves the fake clock to the given hour of the next day, Asia/Shanghai.</summary>
    private void NextDay(int hour = 9)
    {
        var now = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var target = new DateTimeOffset(now.Date.AddDays(1).AddHours(hour), TimeSpan.FromHours(8));
        factory.Clock.SetUtcNow(target);
    }

    [Fact]
    public async Task A_resident_walks_the_DOMAIN_timeline_day_by_day()
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();
        Assert.Equal("None", await r.ColourAsync());

        var applied = await r.ApplyAsync();                                         // day 1: C
        Assert.Equal("Green", Colour(applied));
        NextDay();                                                                   // day 2: –
        Assert.Equal("Green", await r.ColourAsync()); // not yet: day 2 is not over
        NextDay();                                                                   // day 3: –
        var day3 = await r.CodeAsync();
        Assert.Equal("Yellow", Colour(day3));
        Assert.Equal("yellow.missed-clock-in", day3.GetProperty("explanation").GetProperty("reasonCode").GetString());
        NextDay();                                                                   // day 4: –
        Assert.Equal("Yellow", await r.ColourAsync());
        NextDay();                                                                   // day 5: C
        Assert.Equal("Red", await r.ColourAsync());
        var streak1 = await (await r.ClockInAsync()).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Red", Colour(streak1));
        Assert.Equal(1, streak1.GetProperty("explanation").GetProperty("redStreak").GetInt32());
        Assert.Equal(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).Date.AddDays(2).ToString("yyyy-MM-dd"),
            streak1.GetProperty("explanation").GetProperty("greenOn").GetString());
        NextDay();                                                                   // day 6: C
        Assert.Equal("Red", Colour(await (await r.ClockInAsync()).Content.ReadFromJsonAsync<JsonElement>()));
        NextDay();                                                                   // day 7: C
        var green = await (await r.ClockInAsync()).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Green", Colour(green));

        // The history explains every change with its cause, in order.
        var causes = green.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("change").GetProperty("cause").GetString()).ToList();
        Assert.Equal(["Applied", "MissedClockIn", "MissedClockIn", "RedStreakCompleted"], causes);
    }

    [Fact]
    public async Task A_fever_makes_the_code_yellow_until_village_staff_clear_it()
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();
        await r.ApplyAsync();
        NextDay();
        var fever = await (await r.ClockInAsync(38.2m)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Yellow", Colour(fever));
        Assert.Equal("blocked.fever", fever.GetProperty("explanation").GetProperty("reasonCode").GetString());

        // A normal reading later does not clear it: only staff who saw the person can.
        Assert.Equal("Yellow", Colour(await (await r.ClockInAsync(36.5m)).Content.ReadFromJsonAsync<JsonElement>()));
        var staff = await factory.NewStaffAsync("village", r.VillageCode);
        var cleared = await staff.PostAsJsonAsync($"/api/villages/{r.VillageCode}/residents/{r.ResidentKey}/clear-fever",
            new ClearFeverRequest("visited, 36.5 °C, no symptoms"));
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Equal("Green", await r.ColourAsync());

        var audit = await (await factory.AdminClientAsync()).GetFromJsonAsync<JsonElement>($"/api/admin/audit?subject={r.ResidentKey}");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "resident.fever.cleared");
    }

    [Fact]
    public async Task A_household_head_clocks_in_for_a_member_without_a_phone_and_the_proxy_is_recorded()
    {
        var head = await new ResidentFlow(factory).SignInAsync();
        await head.RegisterAsync(name: "李大山");
        var memberId = ResidentFlow.NewIdNumber();
        var added = await head.Client.PostAsJsonAsync("/api/households/mine/members", new AddMemberRequest("李奶奶", memberId, null));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var memberKey = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("residentKey").GetString()!;

        var applied = await head.Client.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/apply", new ApplyRequest(36.4m, true));
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        NextDay();
        NextDay();
        Assert.Equal("Yellow", Colour(await head.Client.GetFromJsonAsync<JsonElement>($"/api/households/mine/members/{memberKey}/code")));
        var clockIn = await head.Client.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/clock-in", new ClockInRequest(36.6m, []));
        var code = await clockIn.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Green", Colour(code));
        var last = code.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("ClockedInWhileYellow", last.GetProperty("change").GetProperty("cause").GetString());
        Assert.Equal("HouseholdProxy", last.GetProperty("by").GetString());

        // Someone else's household member is out of reach.
        var stranger = await new ResidentFlow(factory).SignInAsync();
        await stranger.RegisterAsync();
        var refused = await stranger.Client.PostAsJsonAsync($"/api/households/mine/members/{memberKey}/clock-in", new ClockInRequest(36.6m, []));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Village_counts_follow_the_residents_and_roll_up_to_the_city()
    {
        var villages = await factory.VillagesAsync();
        var village = villages[^1].Code;
        var staff = await factory.NewStaffAsync("village", village);
        var commander = await factory.NewStaffAsync("commander", "411200");
        var before = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/counts");
        var cityBefore = (await commander.GetFromJsonAsync<JsonElement>("/api/regions/411200/counts")).GetProperty("counts");

        var a = await new ResidentFlow(factory).SignInAsync();
        await a.RegisterAsync(village);
        await a.ApplyAsync();
        var b = await new ResidentFlow(factory).SignInAsync();
        await b.RegisterAsync(village);

        var after = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/counts");
        Assert.Equal(before.GetProperty("residents").GetInt32() + 2, after.GetProperty("residents").GetInt32());
        Assert.Equal(before.GetProperty("green").GetInt32() + 1, after.GetProperty("green").GetInt32());
        Assert.Equal(before.GetProperty("clockedInToday").GetInt32() + 1, after.GetProperty("clockedInToday").GetInt32());

        // The city catches up within the roll-up intervals (polled with a deadline, no sleep) and settles on the sum of
        // its counties. (Earlier tests' residents may still be climbing the tree when "before" is read, so the city
        // is checked against its children rather than against before + 2.)
        await Eventually.Assert(async () =>
        {
            var region = await commander.GetFromJsonAsync<JsonElement>("/api/regions/411200/counts");
            var city = region.GetProperty("counts");
            var childrenSum = region.GetProperty("children").EnumerateArray().Sum(c => c.GetProperty("counts").GetProperty("residents").GetInt32());
            Assert.True(city.GetProperty("residents").GetInt32() >= cityBefore.GetProperty("residents").GetInt32() + 2);
            Assert.Equal(childrenSum, city.GetProperty("residents").GetInt32());
        }, TimeSpan.FromSeconds(20), "the city to count both residents and equal the sum of its counties");

        // The list filters by colour and is audited.
        var greens = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/residents?colour=Green");
        Assert.Contains(greens.GetProperty("items").EnumerateArray(), i => i.GetProperty("residentKey").GetString() == a.ResidentKey);
        Assert.DoesNotContain(greens.GetProperty("items").EnumerateArray(), i => i.GetProperty("residentKey").GetString() == b.ResidentKey);
    }

    [Fact]
    public async Task A_need_is_seen_by_village_staff_and_marked_handled()
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();
        var need = await r.Client.PostAsJsonAsync("/api/residents/me/needs", new NeedRequest("Medicine", "降压药 blood-pressure tablets"));
        Assert.Equal(HttpStatusCode.Created, need.StatusCode);
        var needId = (await need.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var staff = await factory.NewStaffAsync("village", r.VillageCode);
        var open = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{r.VillageCode}/residents?openNeeds=true");
        Assert.Contains(open.GetProperty("items").EnumerateArray(), i => i.GetProperty("residentKey").GetString() == r.ResidentKey);
        var handled = await staff.PostAsJsonAsync($"/api/villages/{r.VillageCode}/residents/{r.ResidentKey}/needs/{needId}/handled", new HandleNeedRequest("delivered"));
        Assert.Equal(HttpStatusCode.OK, handled.StatusCode);
        var overview = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Equal("Handled", overview.GetProperty("needs")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Bad_input_gets_clear_problem_details()
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        var village = (await factory.VillagesAsync())[0].Code;

        var badId = await r.Client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("张三", "411202198005171230", village, r.Phone));
        var problem = await FoundationApiTests.AssertProblem(badId, 400);
        Assert.Contains("check character", problem.GetProperty("errors").GetProperty("idNumber")[0].GetString());

        var unknownVillage = await r.Client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("张三", ResidentFlow.NewIdNumber(), "411202999999", r.Phone));
        problem = await FoundationApiTests.AssertProblem(unknownVillage, 400);
        Assert.Contains("unknown region", problem.GetProperty("errors").GetProperty("villageCode")[0].GetString());

        var malformed = await r.Client.PostAsync("/api/residents/me", new StringContent("{\"name\": 5,", Encoding.UTF8, "application/json"));
        await FoundationApiTests.AssertProblem(malformed, 400);

        var forged = await (await factory.NewStaffAsync("checkpoint", "411202", "cp-1")).PostAsJsonAsync("/api/codes/verify",
            new VerifyCodeRequest("v1.cjEyM3wyfDE1ODA1MTk2MDB8OTk5OTk5OTk5OXxub25jZQ.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"));
        problem = await FoundationApiTests.AssertProblem(forged, 422);
        Assert.Equal("token.forged", problem.GetProperty("code").GetString());

        // Nothing half-written: the refused registrations left the caller unregistered.
        Assert.Equal(HttpStatusCode.Forbidden, (await r.Client.GetAsync("/api/residents/me")).StatusCode);
    }

    [Fact]
    public async Task Village_staff_cannot_read_another_village()
    {
        var villages = await factory.VillagesAsync();
        var staff = await factory.NewStaffAsync("village", villages[0].Code);
        var other = await staff.GetAsync($"/api/villages/{villages[1].Code}/residents");
        await FoundationApiTests.AssertProblem(other, 403);
        var resident = await factory.CreateClient().GetAsync($"/api/villages/{villages[0].Code}/residents");
        Assert.Equal(HttpStatusCode.Unauthorized, resident.StatusCode);
    }

    [Fact]
    public async Task A_QR_token_verifies_and_altered_or_expired_ones_are_refused_distinctly()
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();
        await r.ApplyAsync();
        var qr = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/code/qr");
        Assert.StartsWith("<svg", qr.GetProperty("svg").GetString()!.TrimStart());
        var token = qr.GetProperty("token").GetString()!;

        var checkpoint = await factory.NewStaffAsync("checkpoint", "411200", "cp-2");
        var valid = await checkpoint.PostAsJsonAsync("/api/codes/verify", new VerifyCodeRequest(token));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        var body = await valid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Green", body.GetProperty("currentColour").GetString());
        Assert.Equal("王*明", body.GetProperty("maskedName").GetString());

        // Change the colour inside a genuine token (v2.kid.payload.issuer-signature.content-signature): the content signature no longer matches.
        var parts = token.Split('.');
        Assert.Equal("v2", parts[0]);
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]));
        var tampered = payload.Split('|');
        tampered[1] = "1";
        tampered[0] = "rsomebodyelse";
        parts[2] = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', tampered)));
        var altered = await checkpoint.PostAsJsonAsync("/api/codes/verify", new VerifyCodeRequest(string.Join('.', parts)));
        Assert.Equal("token.altered", (await FoundationApiTests.AssertProblem(altered, 422)).GetProperty("code").GetString());

        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        var expired = await checkpoint.PostAsJsonAsync("/api/codes/verify", new VerifyCodeRequest(token));
        Assert.Equal("token.expired", (await FoundationApiTests.AssertProblem(expired, 422)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Residents_import_from_csv_keeps_good_rows_and_reports_bad_ones_by_line()
    {
        var village = (await factory.VillagesAsync())[2].Code;
        var staff = await factory.NewStaffAsync("village", village);
        var goodHead = ResidentFlow.NewIdNumber();
        var goodMember = ResidentFlow.NewIdNumber();
        var csv = $"""
            household,name,id_number,phone,village_code,head
            H1,赵一,{goodHead},13911112222,{village},true
            H1,赵二,{goodMember},,{village},false
            H2,钱三,411202198005171230,,{village},true
            H3,孙四,{ResidentFlow.NewIdNumber()},,411202999999,true
            H4,,{ResidentFlow.NewIdNumber()},,{village},true
            """;
        var response = await staff.PostAsync("/api/admin/residents/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, report.GetProperty("rows").GetInt32());
        Assert.Equal(2, report.GetProperty("imported").GetInt32());
        var errors = report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(4, "id_number"), (5, "village_code"), (6, "name")], errors);

        // Re-importing registers nobody twice.
        var again = await (await staff.PostAsync("/api/admin/residents/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("imported").GetInt32());
        Assert.Equal(2, again.GetProperty("alreadyRegistered").GetInt32());

        var list = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/residents?take=500");
        var households = list.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("name").GetString() is "赵一" or "赵二")
            .Select(i => i.GetProperty("householdId").GetString()).Distinct().ToList();
        Assert.Single(households);
    }
}
