using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Sanmenxia.Api.Endpoints;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>Platform 2 through the API: publication, anonymous query, matching both ways, withdrawal, expiry, bad input.</summary>
[Collection("api")]
public sealed class TripApiTests(ApiFactory factory)
{
    private DateOnly Today => DateOnly.FromDateTime(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
    private static int _train = 1000;
    private static string NewTrain() => "G" + Interlocked.Increment(ref _train);

    private async Task<(ResidentFlow Resident, HttpClient Commander, HttpClient VillageStaff)> Setup()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync((await factory.VillagesAsync())[15].Code);
        return (resident, await factory.NewStaffAsync("commander", "411200"), await factory.NewStaffAsync("village", resident.VillageCode));
    }

    private static async Task<JsonElement> Publish(HttpClient commander, string number, DateOnly date, int? carriage, int? row, string source = "三门峡市卫健委通报")
    {
        var response = await commander.PostAsJsonAsync("/api/trips/cases", new PublishCaseRequest("Train", number, date, carriage, row, null, "武汉", "三门峡南", source));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<IReadOnlyList<JsonElement>> PendingEntries(HttpClient staff, string village, string residentKey) =>
        (await staff.GetFromJsonAsync<JsonElement>($"/api/regions/{village}/key-persons?category=CloseContact"))
        .GetProperty("items").EnumerateArray().Where(l => l.GetProperty("residentKey").GetString() == residentKey).Select(l => l.GetProperty("entry")).ToList();

    [Fact]
    public async Task Published_before_the_resident_saves_the_trip_matches_at_once_with_seat_level_risk()
    {
        var (r, commander, staff) = await Setup();
        var train = NewTrain();
        var date = Today.AddDays(-3);
        await Publish(commander, train, date, carriage: 3, row: 10);

        var query = await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/api/trips/query?mode=Train&number={train.ToLowerInvariant()}&date={date:yyyy-MM-dd}&carriage=3&row=12");
        Assert.True(query.GetProperty("matched").GetBoolean());
        Assert.Equal("NearbySeats", query.GetProperty("risk").GetString());
        Assert.Equal("register-and-isolate", query.GetProperty("adviceCode").GetString());
        var far = await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/api/trips/query?mode=Train&number={train}&date={date:yyyy-MM-dd}&carriage=7");
        Assert.Equal("SameTrip", far.GetProperty("risk").GetString());

        var saved = await r.Client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, 3, 40, null));
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        var match = (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("matches").EnumerateArray().Single();
        Assert.Equal("SameCarriage", match.GetProperty("risk").GetString());

        var overview = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Single(overview.GetProperty("tripMatches").EnumerateArray());
        var entry = Assert.Single(await PendingEntries(staff, r.VillageCode, r.ResidentKey));
        Assert.Equal("Pending", entry.GetProperty("status").GetString());
        Assert.Equal(date.ToString("yyyy-MM-dd"), entry.GetProperty("exposureDate").GetString());
        var counts = await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{r.VillageCode}/counts");
        Assert.True(counts.GetProperty("keyPersonDetail").GetProperty("pendingConfirmation").GetInt32() >= 1);
    }

    [Fact]
    public async Task Published_after_the_resident_saved_the_trip_matches_and_a_withdrawal_undoes_it()
    {
        var (r, commander, staff) = await Setup();
        var train = NewTrain();
        var date = Today.AddDays(-2);
        (await r.Client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, 5, 8, "8C"))).EnsureSuccessStatusCode();
        var published = await Publish(commander, train, date, carriage: 5, row: 9);

        var trips = await r.TripsWhenAsync(t => t.GetProperty("matches").GetArrayLength() > 0);
        var match = trips.GetProperty("matches").EnumerateArray().Single();
        Assert.Equal("NearbySeats", match.GetProperty("risk").GetString());
        Assert.Single(await PendingEntries(staff, r.VillageCode, r.ResidentKey));

        var tripKey = published.GetProperty("trip").GetString()!;
        var caseId = published.GetProperty("published").GetProperty("caseId").GetString()!;
        var withdrawn = await commander.PostAsJsonAsync($"/api/trips/{tripKey}/cases/{caseId}/withdraw", new ReasonRequest("wrong train number in the bulletin"));
        Assert.Equal(HttpStatusCode.NoContent, withdrawn.StatusCode);
        trips = await r.TripsWhenAsync(t => t.GetProperty("matches").EnumerateArray().Any(m => m.GetProperty("withdrawn").GetBoolean()));
        Assert.True(trips.GetProperty("matches").EnumerateArray().Single().GetProperty("withdrawn").GetBoolean());
        var entry = Assert.Single(await PendingEntries(staff, r.VillageCode, r.ResidentKey));
        Assert.Equal("Dismissed", entry.GetProperty("status").GetString());
        var query = await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/api/trips/query?mode=Train&number={train}&date={date:yyyy-MM-dd}");
        Assert.False(query.GetProperty("matched").GetBoolean());
    }

    [Fact]
    public async Task A_trip_past_its_watch_period_is_no_longer_matched()
    {
        var (r, commander, staff) = await Setup();
        var train = NewTrain();
        var date = Today.AddDays(-1);
        (await r.Client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, null, null, null))).EnsureSuccessStatusCode();
        factory.Clock.Advance(TimeSpan.FromDays(15)); // watched for 14 days after travel
        var trips = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/trips");
        await r.Client.GetAsync("/api/residents/me"); // any read catches up with ended watch periods
        trips = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/trips");
        Assert.Empty(trips.GetProperty("trips").EnumerateArray());
        await Publish(commander, train, date, carriage: 1, row: 1);
        trips = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/trips");
        Assert.Empty(trips.GetProperty("matches").EnumerateArray());
        Assert.Empty(await PendingEntries(staff, r.VillageCode, r.ResidentKey));
    }

    [Fact]
    public async Task Case_lists_import_from_csv_with_a_line_report_and_are_idempotent()
    {
        var commander = await factory.NewStaffAsync("commander", "411200");
        var train = NewTrain();
        var date = Today.AddDays(-4);
        var csv = $"""
            date,mode,number,carriage,row,seat,from,to,source
            {date:yyyy-MM-dd},Train,{train},2,,,汉口,三门峡南,湖北省卫健委
            {date:yyyy-MM-dd},Flight,CZ 3456,,21,21A,武汉,洛阳,民航通报
            {date:yyyy-MM-dd},Rocket,X1,,,,,,bad
            {Today.AddDays(3):yyyy-MM-dd},Train,{train},,,,,,future
            """;
        var report = await (await commander.PostAsync("/api/trips/cases/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(4, report.GetProperty("rows").GetInt32());
        Assert.Equal(2, report.GetProperty("published").GetInt32());
        Assert.Equal([(4, "mode"), (5, "date")], report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList());
        await commander.PostAsync("/api/trips/cases/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var flight = await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/api/trips/query?mode=Flight&number=cz3456&date={date:yyyy-MM-dd}&row=23");
        Assert.Single(flight.GetProperty("cases").EnumerateArray()); // imported twice, published once
        Assert.Equal("NearbySeats", flight.GetProperty("risk").GetString());
    }

    [Fact]
    public async Task Bad_trip_input_is_refused_with_field_errors_and_publication_needs_a_commander()
    {
        var client = factory.CreateClient();
        var unknownMode = await client.GetAsync($"/api/trips/query?mode=Horse&number=G1&date={Today:yyyy-MM-dd}");
        Assert.True((await FoundationApiTests.AssertProblem(unknownMode, 400)).GetProperty("errors").TryGetProperty("mode", out _));
        var malformed = await client.GetAsync($"/api/trips/query?mode=Train&number=GG12345&date={Today:yyyy-MM-dd}");
        Assert.True((await FoundationApiTests.AssertProblem(malformed, 400)).GetProperty("errors").TryGetProperty("number", out _));
        var future = await client.GetAsync($"/api/trips/query?mode=Train&number=G1&date={Today.AddDays(2):yyyy-MM-dd}");
        Assert.True((await FoundationApiTests.AssertProblem(future, 400)).GetProperty("errors").TryGetProperty("date", out _));

        var village = await factory.NewStaffAsync("village", (await factory.VillagesAsync())[0].Code);
        var refused = await village.PostAsJsonAsync("/api/trips/cases", new PublishCaseRequest("Train", "G1", Today, null, null, null, null, null, "x"));
        await FoundationApiTests.AssertProblem(refused, 403);
    }

    [Fact]
    public async Task The_anonymous_query_is_rate_limited_per_client()
    {
        // A factory of its own with a small allowance, so this test's traffic cannot starve the others'.
        await using var own = new ApiFactory();
        var client = own.WithWebHostBuilder(b => b.UseSetting("Trips:QueryPermitsPerMinute", "5")).CreateClient();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20 && limited is null; i++)
        {
            var response = await client.GetAsync($"/api/trips/query?mode=Train&number=K{i}&date=2020-01-20");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.NotNull(limited);
        Assert.True(limited.Headers.Contains("Retry-After"));
        await FoundationApiTests.AssertProblem(limited, 429);
    }
}
