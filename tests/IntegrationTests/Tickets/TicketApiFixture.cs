using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>
/// An <see cref="ApiFactory"/> of the tickets' own (memory providers, co-hosted silo, fake domain clock), so the jumps of
/// its clock move no other test's day and its anonymous traffic spends no other test's allowance. Deadline reminders
/// tick within a second (Tickets:MaxReminderDelay), so a jump of the fake clock is noticed by the reminder itself.
/// </summary>
public sealed class TicketApiFixture : IAsyncLifetime
{
    private readonly ApiFactory _base = new();
    private WebApplicationFactory<Program>? _factory;
    private IReadOnlyList<RegionDto>? _villages;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not initialised.");
    public FakeTimeProvider Clock => _base.Clock;
    public InMemoryAuditLog Audit => (InMemoryAuditLog)Factory.Services.GetRequiredService<IAuditLog>();

    public async Task InitializeAsync()
    {
        _factory = _base.WithWebHostBuilder(b =>
        {
            b.UseSetting("Tickets:MaxReminderDelay", "00:00:01");
            b.UseSetting("Tickets:PublicPermitsPerMinute", "1000");
        });
        var admin = await AdminAsync();
        (await admin.PostAsJsonAsync("/api/admin/regions/generate", new GenerateRegionsRequest(2020, 60))).EnsureSuccessStatusCode();
        var villages = new List<RegionDto>();
        foreach (var county in (await admin.GetFromJsonAsync<List<RegionDto>>("/api/regions?parent=411200"))!)
            foreach (var township in (await admin.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={county.Code}"))!)
                villages.AddRange((await admin.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={township.Code}"))!);
        _villages = villages;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        await _base.DisposeAsync();
    }

    /// <summary>The seeded villages, in code order (60, spread over the six counties).</summary>
    public IReadOnlyList<RegionDto> Villages => _villages ?? throw new InvalidOperationException("Not initialised.");

    public HttpClient Anonymous() => Factory.CreateClient();

    public Task<HttpClient> AdminAsync() => SignInAsync("admin", ApiFactory.AdminPassword);

    public async Task<HttpClient> NewStaffAsync(string role, string jurisdiction)
    {
        var admin = await AdminAsync();
        var username = $"{role}-{Guid.NewGuid():N}"[..20];
        var response = await admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest(username, "password-1234", "Test " + role, role, jurisdiction, null));
        response.EnsureSuccessStatusCode();
        var client = await SignInAsync(username, "password-1234");
        client.DefaultRequestHeaders.Add("X-Test-User", username);
        return client;
    }

    private async Task<HttpClient> SignInAsync(string username, string password)
    {
        var client = Factory.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, password));
            if (response.IsSuccessStatusCode)
            {
                var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
                return client;
            }
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"Could not sign in as {username}: {response.StatusCode}");
            await Task.Delay(100);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, or fails after <paramref name="seconds"/> (real time).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, int seconds = 30) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within {seconds} s: {what}");
            await Task.Delay(100);
        }
    }

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}

[CollectionDefinition(Name)]
public sealed class TicketApiCollection : ICollectionFixture<TicketApiFixture>
{
    public const string Name = "tickets-api";
}
