using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;

namespace Sanmenxia.IntegrationTests.Checkpoints;

/// <summary>
/// Issue 18: the checkpoint page's offline queue uploaded to POST /api/checkpoints/{id}/passes/batch (memory providers, fake
/// clock). Each pass is accepted exactly once by its client id; the published keys verify the QR tokens.
/// </summary>
[Collection("api")]
public sealed class OfflinePassBatchApiTests(ApiFactory factory)
{
    private static int _sequence;

    private async Task<(string Id, HttpClient Staff)> NewCheckpointAsync()
    {
        var village = (await factory.VillagesAsync())[1].Code;
        var id = $"cp-{village}-{8000 + Interlocked.Increment(ref _sequence):D4}";
        var admin = await factory.AdminClientAsync();
        var created = await admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "离线检测点", village, null, null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (id, await factory.NewStaffAsync("checkpoint", village, id));
    }

    private async Task<ResidentFlow> GreenResidentAsync(string name)
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(name: name);
        await r.ApplyAsync();
        return r;
    }

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task A_batch_uploaded_twice_is_counted_once_and_a_typed_ID_is_flagged_colour_unknown()
    {
        var (id, staff) = await NewCheckpointAsync();
        var a = await GreenResidentAsync("赵一");
        var b = await GreenResidentAsync("钱二");
        var tokenA = (await a.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/code/qr")).GetProperty("token").GetString()!;
        var tokenB = (await b.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/code/qr")).GetProperty("token").GetString()!;
        var scanned = factory.Clock.GetUtcNow();
        // The upload comes later: the tokens have expired by now, but they were valid when scanned.
        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        var expiredAtScan = scanned + TimeSpan.FromMinutes(6);

        var passes = new List<OfflinePassItem>
        {
            new(Guid.NewGuid(), "In", tokenA, null, null, scanned),
            new(Guid.NewGuid(), "In", tokenB, null, null, scanned + TimeSpan.FromSeconds(20)),
            new(Guid.NewGuid(), "Out", null, a.IdNumber, "IdNumber", scanned + TimeSpan.FromMinutes(1)),
            new(Guid.NewGuid(), "Out", tokenB, null, null, expiredAtScan),
        };
        var url = $"/api/checkpoints/{id}/passes/batch";
        var first = await Ok(await staff.PostAsJsonAsync(url, new OfflinePassBatch(passes)));
        Assert.Equal((3, 0, 1), (first.GetProperty("recorded").GetInt32(), first.GetProperty("alreadyRecorded").GetInt32(), first.GetProperty("refused").GetInt32()));
        var results = first.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("clientId").GetGuid());
        Assert.Equal("token.expired", results[passes[3].ClientId!.Value].GetProperty("code").GetString());
        Assert.Equal("ColourUnknown", results[passes[2].ClientId!.Value].GetProperty("review").GetString());
        Assert.Equal(3, first.GetProperty("today").GetProperty("passes").GetInt32());

        // The answer was lost, the page sends the same queue again (and a retry of one pass inside it): nothing counts twice.
        var again = await Ok(await staff.PostAsJsonAsync(url, new OfflinePassBatch([.. passes, passes[0]])));
        Assert.Equal((0, 3), (again.GetProperty("recorded").GetInt32(), again.GetProperty("alreadyRecorded").GetInt32()));
        var view = await Ok(await staff.GetAsync($"/api/checkpoints/{id}"));
        Assert.Equal(3, view.GetProperty("today").GetProperty("passes").GetInt32());
        Assert.Equal(2, view.GetProperty("today").GetProperty("entries").GetInt32());

        // The day's list shows them as offline passes, the typed ID flagged for review (checked by hand, colour unknown).
        var page = await Ok(await staff.GetAsync($"/api/checkpoints/{id}/passes"));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.True(i.GetProperty("offline").GetBoolean()));
        var byId = Assert.Single(items, i => i.GetProperty("method").GetString() == "IdNumber");
        Assert.Equal(("ColourUnknown", "unknown.check", "Check"),
            (byId.GetProperty("review").GetString(), byId.GetProperty("reasonCode").GetString(), byId.GetProperty("outcome").GetString()));
        Assert.Equal(scanned + TimeSpan.FromMinutes(1), byId.GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Bad_items_are_answered_invalid_one_by_one_and_others_still_recorded()
    {
        var (id, staff) = await NewCheckpointAsync();
        var r = await GreenResidentAsync("孙三");
        var now = factory.Clock.GetUtcNow();
        var good = new OfflinePassItem(Guid.NewGuid(), "In", null, r.IdNumber, null, now);
        var response = await Ok(await staff.PostAsJsonAsync($"/api/checkpoints/{id}/passes/batch", new OfflinePassBatch(
        [
            good,
            new(Guid.NewGuid(), "Sideways", null, r.IdNumber, null, now),
            new(Guid.NewGuid(), "In", null, r.IdNumber, null, now + TimeSpan.FromHours(1)),
            new(Guid.NewGuid(), "In", "v2.k1.x.y.z", null, null, now),
        ])));
        Assert.Equal((1, 2, 1), (response.GetProperty("recorded").GetInt32(), response.GetProperty("invalid").GetInt32(), response.GetProperty("refused").GetInt32()));

        var empty = await FoundationApiTests.AssertProblem(await staff.PostAsJsonAsync($"/api/checkpoints/{id}/passes/batch", new OfflinePassBatch([])), 400);
        Assert.True(empty.GetProperty("errors").TryGetProperty("passes", out _));
        var (other, _) = await NewCheckpointAsync();
        await FoundationApiTests.AssertProblem(await staff.PostAsJsonAsync($"/api/checkpoints/{other}/passes/batch", new OfflinePassBatch([good])), 403);
    }

    [Fact]
    public async Task The_public_keys_are_published_cacheable_and_anonymous()
    {
        var response = await factory.CreateClient().GetAsync(CodeKeyEndpoints.Path);
        var body = await Ok(response);
        Assert.Contains("max-age=", response.Headers.CacheControl?.ToString());
        var key = body.GetProperty("keys").EnumerateArray().First();
        Assert.Equal(("EC", "P-256", "ES256"), (key.GetProperty("kty").GetString(), key.GetProperty("crv").GetString(), key.GetProperty("alg").GetString()));
        Assert.Equal(43, key.GetProperty("x").GetString()!.Length);
        Assert.Equal("Asia/Shanghai", body.GetProperty("timeZone").GetString());
    }
}
