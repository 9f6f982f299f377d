using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>A staff account a browser test signs in with.</summary>
public sealed record BrowserStaff(string Username, string Password, string Jurisdiction);

/// <summary>
/// What the browser tests of the shared collection set up alike: staff accounts, an empty village of their own (one set
/// of taken villages for the whole collection, so two test classes never pick the same one), and waiting for a village's
/// counts.
/// </summary>
public static class BrowserFixtureHelpers
{
    private static readonly SemaphoreSlim VillagePick = new(1, 1);
    private static readonly HashSet<string> Taken = [];
    private static readonly ConcurrentDictionary<string, int> CheckpointNumbers = new(StringComparer.Ordinal);

    /// <summary>
    /// A checkpoint id no other browser test of this run has used: "cp-{village}-{prefix}{NNN}", NNN counted per village
    /// and prefix from 101 ("0101", "0102"… with the default prefix: clear of a seeded city's planned "0001"…). Each test
    /// has its own village (<see cref="EmptyVillageAsync"/>) and makes its checkpoints in a fixed order, so a test gets the
    /// same ids in every run (a failure can be reproduced), and two tests never collide, even in a shared village.
    /// </summary>
    public static string NewCheckpointId(string village, string prefix = "0") =>
        $"cp-{village}-{prefix}{CheckpointNumbers.AddOrUpdate(village + "/" + prefix, 101, (_, n) => n + 1)}";

    public static async Task<BrowserStaff> NewStaffAsync(this BrowserFixture fixture, string role, string jurisdiction, string password)
    {
        var username = $"{role}-{Guid.NewGuid():N}"[..20];
        var response = await fixture.Admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, password, $"测试 {role}", role, jurisdiction, null));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return new BrowserStaff(username, password, jurisdiction);
    }

    /// <summary>
    /// A village nobody has registered in yet, searched from the end of the tree (<paramref name="fromEnd"/>) or from its
    /// third county on (the resident portal's tests take the first village).
    /// </summary>
    public static async Task<string> EmptyVillageAsync(this BrowserFixture fixture, bool fromEnd, string? except = null)
    {
        await VillagePick.WaitAsync();
        try
        {
            using var anonymous = fixture.Factory.HttpClient();
            async Task<IEnumerable<RegionDto>> Children(string parent)
            {
                var list = (await anonymous.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={parent}"))!;
                return fromEnd ? list.AsEnumerable().Reverse() : list;
            }
            var counties = await Children("411200");
            foreach (var county in fromEnd ? counties : counties.Skip(2))
                foreach (var township in await Children(county.Code))
                    foreach (var village in await Children(township.Code))
                    {
                        if (village.Code == except || Taken.Contains(village.Code)) continue;
                        using var counts = JsonDocument.Parse(await fixture.Admin.GetStringAsync($"/api/villages/{village.Code}/counts"));
                        if (counts.RootElement.GetProperty("residents").GetInt32() != 0) continue;
                        Taken.Add(village.Code);
                        return village.Code;
                    }
            throw new InvalidOperationException("No empty village left in the synthetic tree.");
        }
        finally
        {
            VillagePick.Release();
        }
    }

    public static Task WaitForVillageCountsAsync(this BrowserFixture fixture, string village, Func<JsonElement, bool> done) =>
        Eventually.Until(
            async () => JsonElement.Parse(await fixture.Admin.GetStringAsync($"/api/villages/{village}/counts")),
            done, TimeSpan.FromSeconds(15), $"the counts of village {village} to match", TimeSpan.FromMilliseconds(50));

    /// <summary>A resident registered and applied through the API; the ID number and a client signed in as them.</summary>
    public static async Task<(string IdNumber, HttpClient Client)> NewGreenResidentAsync(this BrowserFixture fixture, string village, string name)
    {
        var client = fixture.Factory.HttpClient();
        var phone = fixture.NewPhone();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, await fixture.ReadCodeAsync(phone)));
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        var idNumber = ResidentFlow.NewIdNumber();
        var registered = await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest(name, idNumber, village, phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        (await client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(36.5m, true))).EnsureSuccessStatusCode();
        return (idNumber, client);
    }
}
