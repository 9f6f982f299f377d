using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Identity;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>Drives a resident through the API as the portal does: sign in by phone, register, act.</summary>
public sealed class ResidentFlow(ApiFactory factory)
{
    private static int _sequence;

    public HttpClient Client { get; } = factory.CreateClient();
    public string Phone { get; private set; } = "";
    public string IdNumber { get; private set; } = "";
    public string ResidentKey { get; private set; } = "";
    public string VillageCode { get; private set; } = "";

    public static string NewIdNumber(string area = "411202")
    {
        var n = Interlocked.Increment(ref _sequence);
        return ResidentIdNumber.Create(area, new DateOnly(1960, 1, 1).AddDays(n * 37 % 15000), 100 + n % 800).Value;
    }

    public static string NewPhone() => "139" + (10_000_000 + Interlocked.Increment(ref _sequence) * 7919 % 89_999_999).ToString("D8");

    public async Task<ResidentFlow> SignInAsync(string? phone = null)
    {
        Phone = phone ?? NewPhone();
        (await Client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(Phone))).EnsureSuccessStatusCode();
        var admin = await factory.AdminClientAsync();
        var outbox = await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(Phone));
        var code = (await outbox.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
        var login = await Client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(Phone, code));
        login.EnsureSuccessStatusCode();
        UseToken((await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        return this;
    }

    public async Task<ResidentFlow> RegisterAsync(string? villageCode = null, string name = "王小明")
    {
        VillageCode = villageCode ?? (await factory.VillagesAsync())[0].Code;
        IdNumber = NewIdNumber();
        var response = await Client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest(name, IdNumber, VillageCode, Phone));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        UseToken(body.GetProperty("token").GetString()!);
        ResidentKey = body.GetProperty("profile").GetProperty("residentKey").GetString()!;
        return this;
    }

    public async Task<JsonElement> ApplyAsync(decimal temperature = 36.5m)
    {
        var response = await Client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(temperature, true));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<HttpResponseMessage> ClockInAsync(decimal temperature = 36.6m) =>
        await Client.PostAsJsonAsync("/api/residents/me/clock-in", new ClockInRequest(temperature, []));

    public async Task<JsonElement> CodeAsync() => await Client.GetFromJsonAsync<JsonElement>("/api/residents/me/code");

    public async Task<string> ColourAsync() => (await CodeAsync()).GetProperty("explanation").GetProperty("colour").GetString()!;

    private void UseToken(string token) => Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    /// <summary>
    /// The resident's trips once <paramref name="done"/> holds (or as they are at a 20 s deadline). A trip grain tells its
    /// travellers one-way, so a publication reaches them just after the publisher's answer: polled, never slept on.
    /// </summary>
    public async Task<JsonElement> TripsWhenAsync(Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var trips = await Client.GetFromJsonAsync<JsonElement>("/api/residents/me/trips");
            if (done(trips) || DateTime.UtcNow > deadline) return trips;
            await Task.Delay(50);
        }
    }
}
