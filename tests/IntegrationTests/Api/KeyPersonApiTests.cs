using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>Platform 4 through the API: the register, observation periods on the fake clock, effects on the code, roll-ups.</summary>
[Collection("api")]
public sealed class KeyPersonApiTests(ApiFactory factory)
{
    private DateOnly Today => DateOnly.FromDateTime(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private void NextDay()
    {
        var now = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        factory.Clock.SetUtcNow(new DateTimeOffset(now.Date.AddDays(1).AddHours(9), TimeSpan.FromHours(8)));
    }

    private static string Colour(JsonElement code) => code.GetProperty("explanation").GetProperty("colour").GetString()!;

    private async Task<(ResidentFlow Resident, HttpClient Staff, string Base)> Setup(int villageIndex)
    {
        var village = (await factory.VillagesAsync())[villageIndex].Code;
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync(village);
        await resident.ApplyAsync();
        var staff = await factory.NewStaffAsync("village", village);
        return (resident, staff, $"/api/villages/{village}/residents/{resident.ResidentKey}/key-person");
    }

    [Fact]
    public async Task A_close_contact_in_central_isolation_is_red_followed_up_daily_and_released_on_day_14()
    {
        var (r, staff, path) = await Setup(5);
        var exposure = Today;
        var registered = await staff.PostAsJsonAsync(path, new KeyPersonRequest("CloseContact", exposure, "case 2020-017 (family dinner)", "CentralIsolation", "天鹅湖宾馆 isolation site", null));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var entry = await registered.Content.ReadFromJsonAsync<JsonElement>();
        var entryId = entry.GetProperty("id").GetString()!;
        Assert.Equal(exposure.AddDays(14).ToString("yyyy-MM-dd"), entry.GetProperty("observationEndsOn").GetString());

        var code = await r.CodeAsync();
        Assert.Equal("Red", Colour(code));
        Assert.StartsWith("blocked.", code.GetProperty("explanation").GetProperty("reasonCode").GetString());

        var counts = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{r.VillageCode}/counts");
        var detail = counts.GetProperty("keyPersonDetail");
        Assert.Equal(1, detail.GetProperty("closeContact").GetProperty("open").GetInt32());
        Assert.Equal(1, detail.GetProperty("closeContact").GetProperty("newToday").GetInt32());
        Assert.Equal(1, detail.GetProperty("isolatedNow").GetInt32());
        Assert.Equal(1, counts.GetProperty("isolatedCentral").GetInt32());

        for (var day = 1; day < 14; day++)
        {
            NextDay();
            await r.ClockInAsync(); // the resident keeps clocking in while isolated
            var followUp = await staff.PostAsJsonAsync($"{path}/{entryId}/follow-up", new FollowUpRequest("SeenWell", $"day {day}"));
            Assert.Equal(HttpStatusCode.OK, followUp.StatusCode);
            Assert.Equal("Red", await r.ColourAsync());
        }
        NextDay(); // day 14 after exposure: the period has run
        var released = await r.CodeAsync();
        Assert.Equal("Green", Colour(released)); // the clock-in rules apply again; the resident clocked in daily
        var entries = await staff.GetFromJsonAsync<JsonElement>($"/api/regions/{r.VillageCode}/key-persons");
        var line = entries.GetProperty("items").EnumerateArray().Single(l => l.GetProperty("residentKey").GetString() == r.ResidentKey);
        Assert.Equal("Released", line.GetProperty("entry").GetProperty("status").GetString());
        Assert.Equal(13, line.GetProperty("entry").GetProperty("followUps").GetArrayLength());

        var after = (await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{r.VillageCode}/counts")).GetProperty("keyPersonDetail");
        Assert.Equal(0, after.GetProperty("closeContact").GetProperty("open").GetInt32());
        Assert.Equal(1, after.GetProperty("closeContact").GetProperty("releasedToday").GetInt32());
        Assert.Equal(1, after.GetProperty("closeContact").GetProperty("ever").GetInt32());
        Assert.Equal(1, after.GetProperty("isolationReleased").GetInt32());
        Assert.Equal(1, after.GetProperty("isolationEver").GetInt32());
    }

    [Fact]
    public async Task A_fever_during_observation_extends_it_and_flags_the_entry()
    {
        var (r, staff, path) = await Setup(6);
        var registered = await staff.PostAsJsonAsync(path, new KeyPersonRequest("FromWuhan", Today, null, "HomeIsolation", null, "lives alone"));
        var entryId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        for (var day = 1; day <= 14; day++)
        {
            NextDay();
            if (day < 14) (await r.ClockInAsync(day == 10 ? 38.0m : 36.5m)).EnsureSuccessStatusCode(); // fever on day 10
        }

        var line = (await staff.GetFromJsonAsync<JsonElement>($"/api/regions/{r.VillageCode}/key-persons?category=FromWuhan&status=Open"))
            .GetProperty("items").EnumerateArray().Single(l => l.GetProperty("entry").GetProperty("id").GetString() == entryId).GetProperty("entry");
        Assert.True(line.GetProperty("needsReview").GetBoolean());
        Assert.Equal(Today.AddDays(-4).AddDays(14).ToString("yyyy-MM-dd"), line.GetProperty("observationEndsOn").GetString());
        Assert.Equal("Red", await r.ColourAsync());

        // Early release needs a recorded reason.
        var noReason = await staff.PostAsJsonAsync($"{path}/{entryId}/release", new ReasonRequest(""));
        Assert.True((await FoundationApiTests.AssertProblem(noReason, 400)).GetProperty("errors").TryGetProperty("reason", out _));
        var early = await staff.PostAsJsonAsync($"{path}/{entryId}/release", new ReasonRequest("two negative tests, fever explained"));
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        Assert.Contains("released early", (await early.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("closeReason").GetString());
        // The isolation is lifted; the fever from day 10 stays until staff clear it, so the code is yellow.
        var code = await r.CodeAsync();
        Assert.Equal("Yellow", Colour(code));
        Assert.Equal("blocked.fever", code.GetProperty("explanation").GetProperty("reasonCode").GetString());
        Assert.Equal("BlockerCleared", code.GetProperty("history").EnumerateArray().Last().GetProperty("change").GetProperty("cause").GetString());
    }

    [Fact]
    public async Task A_fever_with_no_exposure_is_yellow_under_observation_and_its_release_ends_the_fever()
    {
        var (r, staff, path) = await Setup(10);
        var registered = await staff.PostAsJsonAsync(path, new KeyPersonRequest("FeverNoExposure", Today, "fever clinic", "MedicalObservation", null, null));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var entryId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var code = await r.CodeAsync();
        Assert.Equal("Yellow", Colour(code)); // docs/domain.md: yellow (fever with no exposure), whatever the measure
        Assert.Equal("blocked.fever", code.GetProperty("explanation").GetProperty("reasonCode").GetString());

        // The entry's fever ends with the entry: no separate clearance is needed (none was reported at a clock-in).
        var released = await staff.PostAsJsonAsync($"{path}/{entryId}/release", new ReasonRequest("seen well, tested negative"));
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal("Green", await r.ColourAsync());
    }

    [Fact]
    public async Task A_fever_with_no_exposure_and_no_measure_ends_on_its_date()
    {
        var (r, staff, path) = await Setup(11);
        var registered = await staff.PostAsJsonAsync(path, new KeyPersonRequest("FeverNoExposure", Today, null, "None", null, null));
        var entry = await registered.Content.ReadFromJsonAsync<JsonElement>();
        var endsOn = entry.GetProperty("observationEndsOn").GetString();
        Assert.Equal("Yellow", await r.ColourAsync());

        for (var day = 1; day <= 14; day++)
        {
            NextDay();
            if (day < 14) (await r.ClockInAsync()).EnsureSuccessStatusCode();
            Assert.Equal(day < 14 ? "Yellow" : "Green", await r.ColourAsync());
        }
        var line = (await staff.GetFromJsonAsync<JsonElement>($"/api/regions/{r.VillageCode}/key-persons?category=FeverNoExposure"))
            .GetProperty("items").EnumerateArray().Single(l => l.GetProperty("residentKey").GetString() == r.ResidentKey).GetProperty("entry");
        Assert.Equal(("Released", endsOn), (line.GetProperty("status").GetString(), line.GetProperty("closedOn").GetString()));
    }

    [Fact]
    public async Task A_fever_reported_at_clock_in_outlives_a_released_fever_entry_until_staff_clear_it()
    {
        var (r, staff, path) = await Setup(12);
        var registered = await staff.PostAsJsonAsync(path, new KeyPersonRequest("FeverNoExposure", Today, null, "HomeIsolation", null, null));
        var entryId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        (await r.ClockInAsync(38.1m)).EnsureSuccessStatusCode();

        (await staff.PostAsJsonAsync($"{path}/{entryId}/release", new ReasonRequest("moved to hospital care"))).EnsureSuccessStatusCode();
        Assert.Equal("Yellow", await r.ColourAsync()); // the clock-in's fever is the staff's to clear
        var cleared = await staff.PostAsJsonAsync($"/api/villages/{r.VillageCode}/residents/{r.ResidentKey}/clear-fever", new ClearFeverRequest("36.6 °C, well"));
        Assert.True(cleared.IsSuccessStatusCode);
        Assert.Equal("Green", await r.ColourAsync());
    }

    [Fact]
    public async Task Backend_comparison_import_creates_pending_entries_reports_rows_and_is_idempotent()
    {
        var (r, staff, _) = await Setup(7);
        var from = Today.AddDays(-10);
        var to = Today.AddDays(-3);
        var csv = $"""
            id_number,category,from_date,to_date,source,origin
            {r.IdNumber},FromHubei,{from:yyyy-MM-dd},{to:yyyy-MM-dd},carrier-roaming,孝感
            {ResidentFlow.NewIdNumber()},FromHubei,{from:yyyy-MM-dd},{to:yyyy-MM-dd},carrier-roaming,
            411202198005171230,FromHubei,{from:yyyy-MM-dd},{to:yyyy-MM-dd},carrier-roaming,
            {r.IdNumber},Martian,{from:yyyy-MM-dd},{to:yyyy-MM-dd},carrier-roaming,
            """;
        var admin = await factory.AdminClientAsync();
        var report = await (await admin.PostAsync("/api/admin/key-persons/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(4, report.GetProperty("rows").GetInt32());
        Assert.Equal(1, report.GetProperty("matched").GetInt32());
        Assert.Equal(1, report.GetProperty("unmatched").GetInt32());
        Assert.Equal([(4, "id_number"), (5, "category")], report.GetProperty("invalid").EnumerateArray()
            .Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList());
        var again = await (await admin.PostAsync("/api/admin/key-persons/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("matched").GetInt32());
        Assert.Equal(1, again.GetProperty("alreadyKnown").GetInt32());

        // Pending is a possible exposure awaiting the village's check: yellow (issue 15 item 2; it was green while pending).
        // Village staff confirm it with a measure.
        Assert.Equal("Yellow", await r.ColourAsync());
        var pending = (await staff.GetFromJsonAsync<JsonElement>($"/api/regions/{r.VillageCode}/key-persons?status=Pending")).GetProperty("items");
        var entryId = pending.EnumerateArray().Single(l => l.GetProperty("residentKey").GetString() == r.ResidentKey).GetProperty("entry").GetProperty("id").GetString();
        var counts = (await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{r.VillageCode}/counts")).GetProperty("keyPersonDetail");
        Assert.Equal(1, counts.GetProperty("pendingConfirmation").GetInt32());
        var confirmed = await staff.PostAsJsonAsync($"/api/villages/{r.VillageCode}/residents/{r.ResidentKey}/key-person/{entryId}/confirm", new MeasureRequest("HomeIsolation", null, null));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal("Red", await r.ColourAsync());

        var csvExport = await staff.GetStringAsync($"/api/regions/{r.VillageCode}/key-persons?format=csv");
        Assert.Contains("FromHubei", csvExport);
        Assert.DoesNotContain(r.IdNumber, csvExport); // masked in exports too
    }

    [Fact]
    public async Task Register_refuses_bad_input_and_other_jurisdictions()
    {
        var (r, staff, path) = await Setup(8);
        var bad = await staff.PostAsJsonAsync(path, new KeyPersonRequest("Alien", Today.AddDays(3), null, "Teleport", null, null));
        var errors = (await FoundationApiTests.AssertProblem(bad, 400)).GetProperty("errors");
        foreach (var field in new[] { "category", "exposureDate", "measure" }) Assert.True(errors.TryGetProperty(field, out _), field);
        var central = await staff.PostAsJsonAsync(path, new KeyPersonRequest("FromWuhan", Today, null, "CentralIsolation", null, null));
        Assert.True((await FoundationApiTests.AssertProblem(central, 400)).GetProperty("errors").TryGetProperty("site", out _));

        var otherVillage = (await factory.VillagesAsync())[9].Code;
        var outsider = await factory.NewStaffAsync("village", otherVillage);
        await FoundationApiTests.AssertProblem(await outsider.PostAsJsonAsync(path, new KeyPersonRequest("FromWuhan", Today, null, "HomeIsolation", null, null)), 403);
        await FoundationApiTests.AssertProblem(await outsider.GetAsync($"/api/regions/{r.VillageCode}/key-persons"), 403);
    }

    [Fact]
    public async Task After_a_randomized_run_every_region_equals_the_sum_of_its_children_and_a_recount()
    {
        var random = new Random(4136);
        var villages = (await factory.VillagesAsync()).Skip(10).Take(4).ToList();
        var categories = new[] { "FromOutsideCity", "FromHubei", "FromWuhan", "CloseContact", "FeverNoExposure" };
        var measures = new[] { "None", "HomeIsolation", "MedicalObservation" };
        foreach (var village in villages)
        {
            var staff = await factory.NewStaffAsync("village", village.Code);
            for (var i = 0; i < 4; i++)
            {
                var r = await new ResidentFlow(factory).SignInAsync();
                await r.RegisterAsync(village.Code);
                if (random.Next(3) > 0) await r.ApplyAsync();
                for (var e = random.Next(3); e > 0; e--)
                {
                    var created = await staff.PostAsJsonAsync($"/api/villages/{village.Code}/residents/{r.ResidentKey}/key-person",
                        new KeyPersonRequest(categories[random.Next(5)], Today.AddDays(-random.Next(20)), "random origin", measures[random.Next(3)], null, null));
                    Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                    var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
                    if (random.Next(4) == 0)
                        await staff.PostAsJsonAsync($"/api/villages/{village.Code}/residents/{r.ResidentKey}/key-person/{id}/release", new ReasonRequest("random release"));
                }
            }
        }

        var commander = await factory.NewStaffAsync("commander", "411200");
        // Recount from the residents themselves (the store), per village.
        var recount = new Dictionary<string, (int Open, int Ever, int Residents)>();
        foreach (var village in villages)
        {
            var register = (await commander.GetFromJsonAsync<JsonElement>($"/api/regions/{village.Code}/key-persons?take=5000")).GetProperty("items").EnumerateArray().ToList();
            var list = await commander.GetFromJsonAsync<JsonElement>($"/api/villages/{village.Code}/residents?take=500");
            recount[village.Code] = (register.Count(l => l.GetProperty("entry").GetProperty("status").GetString() == "Open"),
                register.Count(l => l.GetProperty("entry").GetProperty("status").GetString() is "Open" or "Released"),
                list.GetProperty("total").GetInt32());
        }
        foreach (var village in villages)
        {
            var counts = (await commander.GetFromJsonAsync<JsonElement>($"/api/regions/{village.Code}/counts")).GetProperty("counts");
            var detail = counts.GetProperty("keyPersonDetail");
            var open = categories.Sum(c => detail.GetProperty(char.ToLowerInvariant(c[0]) + c[1..]).GetProperty("open").GetInt32());
            var ever = categories.Sum(c => detail.GetProperty(char.ToLowerInvariant(c[0]) + c[1..]).GetProperty("ever").GetInt32());
            Assert.Equal(recount[village.Code], (open, ever, counts.GetProperty("residents").GetInt32()));
        }

        // Up the tree, once the coalesced pushes settle: each region equals the sum of its children.
        await Eventually.Assert(async () => Assert.Null(await FirstMismatch(commander, "411200")),
            TimeSpan.FromSeconds(20), "every region to equal the sum of its children", TimeSpan.FromMilliseconds(200));
    }

    /// <summary>Walks the tree; returns the first region whose counts differ from the sum of its children, or null.</summary>
    private static async Task<string?> FirstMismatch(HttpClient client, string code)
    {
        if (code.Length == 12) return null;
        var region = await client.GetFromJsonAsync<JsonElement>($"/api/regions/{code}/counts");
        var children = region.GetProperty("children").EnumerateArray().ToList();
        foreach (var field in new[] { "residents", "applied", "green", "yellow", "red", "isolated", "closeContacts", "fromWuhan" })
        {
            var total = region.GetProperty("counts").GetProperty(field).GetInt32();
            var sum = children.Sum(c => c.GetProperty("counts").GetProperty(field).GetInt32());
            if (total != sum) return $"{code}.{field}: {total} != {sum}";
        }
        var detailTotal = region.GetProperty("counts").GetProperty("keyPersonDetail").GetProperty("isolationEver").GetInt32();
        var detailSum = children.Sum(c => c.GetProperty("counts").GetProperty("keyPersonDetail").GetProperty("isolationEver").GetInt32());
        if (detailTotal != detailSum) return $"{code}.isolationEver: {detailTotal} != {detailSum}";
        foreach (var child in children)
        {
            var childCode = child.GetProperty("code").GetString()!;
            var childCounts = childCode.Length == 12
                ? (await client.GetFromJsonAsync<JsonElement>($"/api/regions/{childCode}/counts")).GetProperty("counts")
                : (await client.GetFromJsonAsync<JsonElement>($"/api/regions/{childCode}/counts")).GetProperty("counts");
            if (childCounts.GetProperty("residents").GetInt32() != child.GetProperty("counts").GetProperty("residents").GetInt32())
                return $"{code} holds stale counts for {childCode}";
            if (await FirstMismatch(client, childCode) is { } deeper) return deeper;
        }
        return null;
    }
}
