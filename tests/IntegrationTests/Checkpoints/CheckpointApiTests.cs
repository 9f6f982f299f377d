using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Regions;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Checkpoints;

/// <summary>Platform 5 through the HTTP API (memory providers, fake clock): registration by QR and ID number, refusals, counts.</summary>
[Collection("api")]
public sealed class CheckpointApiTests(ApiFactory factory)
{
    private static int _sequence;

    /// <summary>A fresh checkpoint in the first village (optionally with a policy) and a staff member assigned to it.</summary>
    private async Task<(string Id, HttpClient Staff, string Village)> NewCheckpointAsync(PolicyDto? policy = null, int villageIndex = 0)
    {
        var village = (await factory.VillagesAsync())[villageIndex].Code;
        var id = $"cp-{village}-{9000 + Interlocked.Increment(ref _sequence):D4}";
        var admin = await factory.AdminClientAsync();
        var created = await admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "测试检测点", village, policy, null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (id, await factory.NewStaffAsync("checkpoint", village, id), village);
    }

    private static Task<HttpResponseMessage> Pass(HttpClient staff, string id, string direction, string? token = null, string? idNumber = null) =>
        staff.PostAsJsonAsync($"/api/checkpoints/{id}/passes", new RegisterPassRequest(direction, token, idNumber, null));

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<string> ProblemCode(HttpResponseMessage response, int status) =>
        (await FoundationApiTests.AssertProblem(response, status)).GetProperty("code").GetString()!;

    private async Task<ResidentFlow> GreenResidentAsync(string name = "王小明")
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(name: name);
        await r.ApplyAsync();
        return r;
    }

    private static async Task<string> TokenAsync(ResidentFlow r) =>
        (await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/code/qr")).GetProperty("token").GetString()!;

    [Fact]
    public async Task A_valid_QR_passes_and_forged_altered_malformed_and_expired_ones_are_refused_distinctly()
    {
        var (id, staff, _) = await NewCheckpointAsync();
        var r = await GreenResidentAsync("王小明");
        var token = await TokenAsync(r);

        var pass = await Ok(await Pass(staff, id, "In", token));
        Assert.Equal("Green", pass.GetProperty("colour").GetString());
        Assert.Equal("王*明", pass.GetProperty("maskedName").GetString());
        Assert.Equal("Allowed", pass.GetProperty("outcome").GetString());
        Assert.Equal("green.allowed", pass.GetProperty("reasonCode").GetString());
        Assert.Equal("Qr", pass.GetProperty("method").GetString());
        Assert.False(pass.GetProperty("duplicate").GetBoolean());
        Assert.Equal(1, pass.GetProperty("today").GetProperty("entries").GetInt32());

        var forged = Sanmenxia.HealthCode.CodeToken.Issue(Encoding.UTF8.GetBytes("not-our-key-not-our-key-not-our-key"), r.ResidentKey, CodeColour.Green,
            factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5));
        Assert.Equal("token.forged", await ProblemCode(await Pass(staff, id, "In", forged), 422));
        // A v2 token signed by a key of one's own under our key id is forged too.
        using (var mine = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            var own = Sanmenxia.HealthCode.SignedCodeToken.Issue(mine, token.Split('.')[1], r.ResidentKey, CodeColour.Green, "green.clocked-in",
                factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5), DateOnly.FromDateTime(factory.Clock.GetUtcNow().AddHours(8).Date));
            Assert.Equal("token.forged", await ProblemCode(await Pass(staff, id, "In", own), 422));
        }

        var parts = token.Split('.');
        var fields = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[2])).Split('|');
        fields[1] = ((int)CodeColour.Green).ToString();
        fields[0] = "rsomebodyelse";
        parts[2] = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', fields)));
        Assert.Equal("token.altered", await ProblemCode(await Pass(staff, id, "In", string.Join('.', parts)), 422));
        Assert.Equal("token.malformed", await ProblemCode(await Pass(staff, id, "In", "hello, I am not a QR"), 422));

        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("token.expired", await ProblemCode(await Pass(staff, id, "Out", token), 422));

        // Refusals count nothing.
        var view = await Ok(await staff.GetAsync($"/api/checkpoints/{id}"));
        Assert.Equal(1, view.GetProperty("today").GetProperty("passes").GetInt32());
    }

    [Fact]
    public async Task A_token_from_an_earlier_day_is_refused_as_a_replay_even_within_its_lifetime()
    {
        var (id, staff, _) = await NewCheckpointAsync();
        var r = await GreenResidentAsync();
        // Two minutes before midnight (Asia/Shanghai) the token is issued; three minutes later it is still within its lifetime.
        var now = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var lateEvening = new DateTimeOffset(now.Date.AddHours(23).AddMinutes(58), TimeSpan.FromHours(8));
        if (lateEvening <= now) lateEvening = lateEvening.AddDays(1);
        factory.Clock.SetUtcNow(lateEvening);
        var token = await TokenAsync(r);
        Assert.Equal("Allowed", (await Ok(await Pass(staff, id, "In", token))).GetProperty("outcome").GetString());

        factory.Clock.Advance(TimeSpan.FromMinutes(3));
        var replay = await Pass(staff, id, "Out", token);
        var problem = await FoundationApiTests.AssertProblem(replay, 422);
        Assert.Equal("token.replayed", problem.GetProperty("code").GetString());
        Assert.Contains("not today", problem.GetProperty("detail").GetString());
        factory.Clock.Advance(TimeSpan.FromHours(9)); // back to office hours for the other tests
    }

    [Fact]
    public async Task Code_verify_applies_the_same_admission_rule_and_refuses_a_token_issued_yesterday_as_replayed()
    {
        var (id, staff, _) = await NewCheckpointAsync();
        var r = await GreenResidentAsync("张三丰");
        var now = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var lateEvening = new DateTimeOffset(now.Date.AddHours(23).AddMinutes(58), TimeSpan.FromHours(8));
        if (lateEvening <= now) lateEvening = lateEvening.AddDays(1);
        factory.Clock.SetUtcNow(lateEvening);
        var token = await TokenAsync(r);
        var valid = await Ok(await staff.PostAsJsonAsync("/api/codes/verify", new VerifyCodeRequest(token)));
        Assert.Equal("张*丰", valid.GetProperty("maskedName").GetString());
        Assert.Equal("Green", valid.GetProperty("currentColour").GetString());

        // Three minutes later it is still within its lifetime, but it was issued yesterday (Asia/Shanghai): both paths refuse it.
        factory.Clock.Advance(TimeSpan.FromMinutes(3));
        var verified = await FoundationApiTests.AssertProblem(await staff.PostAsJsonAsync("/api/codes/verify", new VerifyCodeRequest(token)), 422);
        Assert.Equal("token.replayed", verified.GetProperty("code").GetString());
        Assert.Contains("not today", verified.GetProperty("detail").GetString());
        Assert.Equal("token.replayed", await ProblemCode(await Pass(staff, id, "In", token), 422));
        factory.Clock.Advance(TimeSpan.FromHours(9)); // back to office hours for the other tests
    }

    [Fact]
    public async Task ID_numbers_are_validated_unknown_residents_refused_and_the_request_must_name_exactly_one_identity()
    {
        var (id, staff, _) = await NewCheckpointAsync();
        var r = await GreenResidentAsync("李四");

        var byId = await Ok(await Pass(staff, id, "In", idNumber: r.IdNumber));
        Assert.Equal("李*", byId.GetProperty("maskedName").GetString());
        Assert.Equal("IdNumber", byId.GetProperty("method").GetString());
        var card = await Ok(await staff.PostAsJsonAsync($"/api/checkpoints/{id}/passes", new RegisterPassRequest("Out", null, r.IdNumber, "IdCard")));
        Assert.Equal("IdCard", card.GetProperty("method").GetString());

        var badCheck = r.IdNumber[..17] + (r.IdNumber[17] == '0' ? '1' : '0');
        var bad = await FoundationApiTests.AssertProblem(await Pass(staff, id, "In", idNumber: badCheck), 400);
        Assert.Contains("check", bad.GetProperty("errors").GetProperty("idNumber")[0].GetString(), StringComparison.OrdinalIgnoreCase);

        var stranger = ResidentFlow.NewIdNumber("411203");
        Assert.Equal("resident.unknown", await ProblemCode(await Pass(staff, id, "In", idNumber: stranger), 422));

        var both = await FoundationApiTests.AssertProblem(await Pass(staff, id, "In", "v1.x.y.z", r.IdNumber), 400);
        Assert.True(both.GetProperty("errors").TryGetProperty("qrToken", out _));
        var neither = await FoundationApiTests.AssertProblem(await Pass(staff, id, "In"), 400);
        Assert.True(neither.GetProperty("errors").TryGetProperty("idNumber", out _));
        var sideways = await FoundationApiTests.AssertProblem(await Pass(staff, id, "Sideways", idNumber: r.IdNumber), 400);
        Assert.True(sideways.GetProperty("errors").TryGetProperty("direction", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await Pass(await factory.AdminClientAsync(), "cp-411200-7777", "In", idNumber: r.IdNumber)).StatusCode);
    }

    [Fact]
    public async Task Staff_of_another_checkpoint_and_other_roles_are_refused()
    {
        var (id, _, village) = await NewCheckpointAsync();
        var (_, otherStaff, _) = await NewCheckpointAsync();
        var r = await GreenResidentAsync();
        var refused = await FoundationApiTests.AssertProblem(await Pass(otherStaff, id, "In", idNumber: r.IdNumber), 403);
        Assert.Contains(id, refused.GetProperty("detail").GetString());
        var villageStaff = await factory.NewStaffAsync("village", village);
        Assert.Equal(HttpStatusCode.Forbidden, (await Pass(villageStaff, id, "In", idNumber: r.IdNumber)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherStaff.GetAsync($"/api/checkpoints/{id}/passes")).StatusCode);
        // An administrator may register at any checkpoint.
        await Ok(await Pass(await factory.AdminClientAsync(), id, "In", idNumber: r.IdNumber));
    }

    [Fact]
    public async Task A_repeated_scan_within_the_window_is_not_counted_twice_and_an_exit_tells_the_dwell_time()
    {
        var (id, staff, _) = await NewCheckpointAsync();
        var r = await GreenResidentAsync();

        var first = await Ok(await Pass(staff, id, "In", idNumber: r.IdNumber));
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        var again = await Ok(await Pass(staff, id, "In", await TokenAsync(r)));
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.GetProperty("passId").GetGuid(), again.GetProperty("passId").GetGuid());
        Assert.Equal(1, again.GetProperty("today").GetProperty("entries").GetInt32());
        Assert.Equal(1, again.GetProperty("today").GetProperty("duplicates").GetInt32());

        factory.Clock.Advance(TimeSpan.FromMinutes(45));
        var exit = await Ok(await Pass(staff, id, "Out", idNumber: r.IdNumber));
        Assert.False(exit.GetProperty("duplicate").GetBoolean());
        Assert.Equal(45.5 * 60, exit.GetProperty("dwellSeconds").GetDouble());
        Assert.Equal("45min 30s", exit.GetProperty("dwell").GetString());
        Assert.Equal(1, exit.GetProperty("today").GetProperty("exits").GetInt32());

        // After the window a new entry counts again.
        factory.Clock.Advance(TimeSpan.FromMinutes(3));
        var later = await Ok(await Pass(staff, id, "In", idNumber: r.IdNumber));
        Assert.False(later.GetProperty("duplicate").GetBoolean());
        Assert.Equal(2, later.GetProperty("today").GetProperty("entries").GetInt32());
        Assert.Equal(3, later.GetProperty("today").GetProperty("passes").GetInt32());
    }

    [Fact]
    public async Task A_yellow_persons_entry_and_exit_count_as_one_person_seen()
    {
        var (id, staff, _) = await NewCheckpointAsync();
        var r = await GreenResidentAsync("孙发热");
        Assert.True((await r.ClockInAsync(38.2m)).IsSuccessStatusCode); // a fever: yellow until staff clear it

        var entry = await Ok(await Pass(staff, id, "In", idNumber: r.IdNumber));
        Assert.Equal("Yellow", entry.GetProperty("colour").GetString());
        factory.Clock.Advance(TimeSpan.FromMinutes(20));
        var exit = await Ok(await Pass(staff, id, "Out", idNumber: r.IdNumber));

        var today = exit.GetProperty("today");
        Assert.Equal(2, today.GetProperty("passes").GetInt32());
        Assert.Equal(1, today.GetProperty("yellowSeen").GetInt32()); // persons, not passes: entry + exit is one person
    }

    [Fact]
    public async Task The_policy_decides_a_code_without_an_application_and_refusals_are_counted()
    {
        var (lenient, lenientStaff, _) = await NewCheckpointAsync();
        var (strict, strictStaff, _) = await NewCheckpointAsync(new PolicyDto("Refuse", "Refuse", "Refuse"));
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(name: "赵六"); // registered, never applied: colour None

        var check = await Ok(await Pass(lenientStaff, lenient, "In", idNumber: r.IdNumber));
        Assert.Equal("Check", check.GetProperty("outcome").GetString());
        Assert.Equal("none.check", check.GetProperty("reasonCode").GetString());
        Assert.Equal(1, check.GetProperty("today").GetProperty("entries").GetInt32());

        var refused = await Ok(await Pass(strictStaff, strict, "In", idNumber: r.IdNumber));
        Assert.Equal("Refused", refused.GetProperty("outcome").GetString());
        Assert.Equal(0, refused.GetProperty("today").GetProperty("entries").GetInt32());
        Assert.Equal(1, refused.GetProperty("today").GetProperty("refused").GetInt32());
    }

    [Fact]
    public async Task Staff_list_and_export_a_checkpoints_day_and_village_staff_read_a_residents_passes_audited()
    {
        var (id, staff, _) = await NewCheckpointAsync();
        var r = await GreenResidentAsync("张三丰");
        await Ok(await Pass(staff, id, "In", idNumber: r.IdNumber));

        var page = await Ok(await staff.GetAsync($"/api/checkpoints/{id}/passes?take=10"));
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        var row = page.GetProperty("items")[0];
        Assert.Equal("张*丰", row.GetProperty("maskedName").GetString());
        Assert.Equal(r.ResidentKey, row.GetProperty("residentKey").GetString());
        Assert.DoesNotContain(r.IdNumber, page.ToString());

        var csv = await staff.GetAsync($"/api/checkpoints/{id}/passes?format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        Assert.Contains("pass_id,checkpoint_id,at,direction", text);
        Assert.Contains("张*丰", text);
        Assert.Equal(400, (int)(await staff.GetAsync($"/api/checkpoints/{id}/passes?day=yesterday")).StatusCode);

        var villageStaff = await factory.NewStaffAsync("village", r.VillageCode);
        var passes = await Ok(await villageStaff.GetAsync($"/api/residents/{r.ResidentKey}/passes?days=14"));
        Assert.Equal(id, passes.GetProperty("items")[0].GetProperty("pass").GetProperty("checkpointId").GetString());
        Assert.Equal("测试检测点", passes.GetProperty("items")[0].GetProperty("checkpointName").GetString());
        var other = await factory.NewStaffAsync("village", (await factory.VillagesAsync())[1].Code);
        await FoundationApiTests.AssertProblem(await other.GetAsync($"/api/residents/{r.ResidentKey}/passes"), 403);

        var audit = await (await factory.AdminClientAsync()).GetFromJsonAsync<JsonElement>($"/api/admin/audit?subject={r.ResidentKey}");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "resident.passes.read");
    }

    [Fact]
    public async Task Checkpoint_counts_roll_up_to_the_township_without_showing_as_a_child_region()
    {
        var (id, staff, village) = await NewCheckpointAsync(villageIndex: 3);
        var r = await GreenResidentAsync();
        var admin = await factory.AdminClientAsync();
        var township = village[..9];
        var before = (await admin.GetFromJsonAsync<JsonElement>($"/api/regions/{township}/counts")).GetProperty("counts").GetProperty("checkpoints").GetProperty("entries").GetInt32();
        await Ok(await Pass(staff, id, "In", idNumber: r.IdNumber));

        var view = await Eventually.Until(
            () => admin.GetFromJsonAsync<JsonElement>($"/api/regions/{township}/counts"),
            v => v.GetProperty("counts").GetProperty("checkpoints").GetProperty("entries").GetInt32() == before + 1,
            TimeSpan.FromSeconds(15), "the township to count the entry", TimeSpan.FromMilliseconds(50));
        // Summed into the total, never a line of the township's table: every line is one of its villages.
        Assert.All(view.GetProperty("children").EnumerateArray(), c => Assert.StartsWith(township, c.GetProperty("code").GetString()!));
        Assert.DoesNotContain(view.GetProperty("children").EnumerateArray(), c => c.GetProperty("code").GetString()!.StartsWith("cp"));
    }

    [Fact]
    public async Task Checkpoints_are_generated_deterministically_over_the_tree_and_imported_from_CSV_line_by_line()
    {
        // The real proportions: 4,136 checkpoints for the 2,700-village synthetic tree (pure, no cluster).
        var city = CheckpointPlan.Generate(SanmenxiaRegions.GenerateSyntheticTree());
        Assert.Equal(4136, city.Count);
        Assert.Equal(city.Count, city.Select(c => c.Id).Distinct().Count());
        Assert.Equal(city.Select(c => c.Id), CheckpointPlan.Generate(SanmenxiaRegions.GenerateSyntheticTree()).Select(c => c.Id));
        Assert.Contains(city, c => c.Region.Level == RegionLevel.City);
        Assert.Contains(city, c => c.Region.Level == RegionLevel.County);
        Assert.Contains(city, c => c.Region.Level == RegionLevel.Township);

        await factory.SeedRegionsAsync();
        var admin = await factory.AdminClientAsync();
        var generated = await Ok(await admin.PostAsJsonAsync("/api/admin/checkpoints/generate", new GenerateCheckpointsRequest(null)));
        Assert.True(generated.GetProperty("checkpoints").GetInt32() > 60);
        var again = await Ok(await admin.PostAsJsonAsync("/api/admin/checkpoints/generate", new GenerateCheckpointsRequest(null)));
        Assert.Equal(again.GetProperty("checkpoints").GetInt32(), again.GetProperty("unchanged").GetInt32());

        var village = (await factory.VillagesAsync())[5].Code;
        var csv = $"""
            id,name,region_code,policy
            cp-{village}-8001,东门,{village},
            cp-{village}-8002,西门,{village},red=refuse;yellow=refuse
            cp-{village}-8003,北门,411202999999,
            CP bad id,南门,{village},
            cp-{village}-8004,后门,{village},purple=allow
            """;
        var report = await Ok(await admin.PostAsync("/api/admin/checkpoints/import", new StringContent(csv, Encoding.UTF8, "text/csv")));
        Assert.Equal(5, report.GetProperty("rows").GetInt32());
        Assert.Equal(2, report.GetProperty("created").GetInt32());
        var errors = report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(4, "region_code"), (5, "id"), (6, "policy")], errors);
        var west = await Ok(await admin.GetAsync($"/api/checkpoints/cp-{village}-8002"));
        Assert.Equal("Refuse", west.GetProperty("checkpoint").GetProperty("policy").GetProperty("yellow").GetString());
    }
}
