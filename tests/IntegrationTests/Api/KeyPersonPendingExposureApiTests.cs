using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// An API of these tests' own: its fake clock jumps a day, which must move no other test's day, and the decision
/// reminder's first tick is capped at a second (KeyPersons:MaxReminderDelay) so the reminder itself notices the jump.
/// </summary>
public sealed class PendingExposureApiFixture : IAsyncLifetime
{
    public ApiFactory Factory { get; } = new([new("KeyPersons:MaxReminderDelay", "00:00:01")]);

    public Task InitializeAsync() => Factory.SeedRegionsAsync();

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

/// <summary>
/// Issue 15 item 2 through the API: a published case matching a saved trip turns the traveller's code yellow with the
/// trip and the village's deadline; the deadline passing marks the entry overdue and the township counts it; confirming
/// turns the code red; dismissing another match gives the code its own colour back.
/// </summary>
public sealed class KeyPersonPendingExposureApiTests(PendingExposureApiFixture fixture) : IClassFixture<PendingExposureApiFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private ApiFactory F => fixture.Factory;
    private DateOnly Today => DateOnly.FromDateTime(F.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static async Task<JsonElement> Explanation(ResidentFlow r) => (await r.CodeAsync()).GetProperty("explanation");

    private static Task<JsonElement> ExplanationWhen(ResidentFlow r, Func<JsonElement, bool> done, string because) =>
        Eventually.Until(() => Explanation(r), done, Patience, because);

    private static async Task<JsonElement> KeyPersonCounts(HttpClient staff, string region) =>
        (await staff.GetFromJsonAsync<JsonElement>($"/api/regions/{region}/counts")).GetProperty("counts").GetProperty("keyPersonDetail");

    private static async Task<JsonElement> RegisterLines(HttpClient staff, string village) =>
        (await staff.GetFromJsonAsync<JsonElement>($"/api/villages/{village}/key-persons")).GetProperty("lines");

    private static async Task<JsonElement> Publish(HttpClient commander, string train, DateOnly date)
    {
        var response = await commander.PostAsJsonAsync("/api/trips/cases", new PublishCaseRequest("Train", train, date, 2, 5, null, "武汉", "三门峡南", "市卫健委通报"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task SaveTrip(ResidentFlow r, string train, DateOnly date) =>
        Assert.Equal(HttpStatusCode.Created, (await r.Client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, 2, 7, null))).StatusCode);

    private static string EntryPath(ResidentFlow r, string entryId, string action) =>
        $"/api/villages/{r.VillageCode}/residents/{r.ResidentKey}/key-person/{entryId}/{action}";

    [Fact]
    public async Task A_match_is_yellow_until_the_village_decides_a_missed_deadline_reaches_the_township_confirm_is_red_dismiss_restores()
    {
        var village = (await F.VillagesAsync())[9];
        var township = village.ParentCode!;
        var commander = await F.NewStaffAsync("commander", "411200");
        var staff = await F.NewStaffAsync("village", village.Code);
        var traveller = await new ResidentFlow(F).SignInAsync();
        await traveller.RegisterAsync(village.Code, "张同行");
        await traveller.ApplyAsync();
        var other = await new ResidentFlow(F).SignInAsync();
        await other.RegisterAsync(village.Code, "李同行");
        await other.ApplyAsync();
        var travelled = Today.AddDays(-2);
        await SaveTrip(traveller, "G7101", travelled);
        await SaveTrip(other, "G7102", travelled);
        Assert.Equal("Green", (await Explanation(traveller)).GetProperty("colour").GetString());

        // A case published on the traveller's trip: yellow, naming the trip and the village's deadline.
        var matchedAt = F.Clock.GetUtcNow();
        await Publish(commander, "G7101", travelled);
        var yellow = await ExplanationWhen(traveller, e => e.GetProperty("reasonCode").GetString() == "blocked.pending-exposure", "the match to reach the code");
        Assert.Equal("Yellow", yellow.GetProperty("colour").GetString());
        Assert.Equal("await-village-check", yellow.GetProperty("nextStepCode").GetString());
        Assert.Contains("possible exposure on Train G7101", yellow.GetProperty("reason").GetString());
        var notice = yellow.GetProperty("pendingExposure");
        Assert.Equal(matchedAt.AddHours(24), notice.GetProperty("decideBy").GetDateTimeOffset());
        Assert.False(notice.GetProperty("overdue").GetBoolean());

        // The village's queue: the pending entry first, with its deadline.
        var first = (await RegisterLines(staff, village.Code)).EnumerateArray().First();
        Assert.Equal(traveller.ResidentKey, first.GetProperty("residentKey").GetString());
        var entry = first.GetProperty("entry");
        var entryId = entry.GetProperty("id").GetString()!;
        Assert.Equal(("Pending", false), (entry.GetProperty("status").GetString(), entry.GetProperty("overdue").GetBoolean()));
        Assert.Equal(matchedAt.AddHours(24), entry.GetProperty("decideBy").GetDateTimeOffset());

        // Nobody decides: a day later the reminder marks it overdue and the township counts it (no read of the resident).
        await Eventually.Until(async () => (await KeyPersonCounts(commander, township)).GetProperty("pendingConfirmation").GetInt32() == 1,
            Patience, "the township to count the pending exposure");
        Assert.Equal(0, (await KeyPersonCounts(commander, township)).GetProperty("pendingOverdue").GetInt32());
        F.Clock.Advance(TimeSpan.FromHours(25));
        await Eventually.Until(async () => (await KeyPersonCounts(commander, township)).GetProperty("pendingOverdue").GetInt32() == 1,
            Patience, "the decision reminder to escalate the missed deadline to the township");
        Assert.Equal(1, (await KeyPersonCounts(staff, village.Code)).GetProperty("pendingOverdue").GetInt32());
        Assert.True((await Explanation(traveller)).GetProperty("pendingExposure").GetProperty("overdue").GetBoolean());
        var overdueLine = (await RegisterLines(staff, village.Code)).EnumerateArray().First();
        Assert.True(overdueLine.GetProperty("entry").GetProperty("overdue").GetBoolean());

        // Confirming makes the traveller a close contact: red, and nothing overdue any more.
        var confirmed = await staff.PostAsJsonAsync(EntryPath(traveller, entryId, "confirm"), new MeasureRequest("HomeIsolation", null, null));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var red = await Explanation(traveller);
        Assert.Equal(("Red", "blocked.isolation"), (red.GetProperty("colour").GetString(), red.GetProperty("reasonCode").GetString()));
        await Eventually.Until(async () => (await KeyPersonCounts(commander, township)).GetProperty("pendingOverdue").GetInt32() == 0,
            Patience, "the township to drop the decided entry from the overdue count");

        // Another traveller, clocked in today (green), matched and dismissed: green again.
        Assert.Equal(HttpStatusCode.OK, (await other.ClockInAsync()).StatusCode);
        Assert.Equal("Green", (await Explanation(other)).GetProperty("colour").GetString());
        await Publish(commander, "G7102", travelled);
        await ExplanationWhen(other, e => e.GetProperty("colour").GetString() == "Yellow", "the second match to reach the code");
        var otherEntry = (await RegisterLines(staff, village.Code)).EnumerateArray()
            .First(l => l.GetProperty("residentKey").GetString() == other.ResidentKey).GetProperty("entry");
        var dismissed = await staff.PostAsJsonAsync(EntryPath(other, otherEntry.GetProperty("id").GetString()!, "dismiss"),
            new ReasonRequest("seated in another carriage, checked with the conductor"));
        Assert.Equal(HttpStatusCode.OK, dismissed.StatusCode);
        var back = await Explanation(other);
        Assert.Equal(("Green", "green.clocked-in-today"), (back.GetProperty("colour").GetString(), back.GetProperty("reasonCode").GetString()));
        Assert.Equal(JsonValueKind.Null, back.GetProperty("pendingExposure").ValueKind);
    }
}
