using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// The API with a co-hosted silo on memory providers and a fake clock: the whole request path
/// (auth, validation, problem details, grains) without a database. One per test collection.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-password-for-tests";
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)));
    private readonly int _siloPort = FreePort();
    private readonly int _gatewayPort = FreePort();
    private readonly IReadOnlyList<KeyValuePair<string, string>> _overrides;

    public ApiFactory() : this([])
    {
    }

    /// <summary>A factory of a test's own, with settings that override <see cref="Settings"/> (e.g. a reminder cap).</summary>
    internal ApiFactory(IReadOnlyList<KeyValuePair<string, string>> overrides) => _overrides = overrides;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings().Concat(_overrides)) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddKeyedSingleton<TimeProvider>(Sanmenxia.Platform.Time.DomainClock.Key, Clock);
            services.AddSingleton(Faults);
            services.AddSingleton<Sanmenxia.Grains.Regions.RollupProbe>(); // what the roll-up timers armed and woke (VillageWakeUpTests)
            StorageFaults.Decorate(services, Sanmenxia.Grains.StorageNames.Default);
            services.AddSingleton<IOutgoingGrainCallFilter>(CallFaults);
            services.AddTransient<IStartupFilter, GrainCallFaults.StartupFilter>();
        });
    }

    /// <summary>
    /// Test clients ask for English problems (Accept-Language: en), so assertions on reasons keep their meaning; the
    /// server's default is Chinese, which ProblemLanguageApiTests asserts explicitly.
    /// </summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
    }

    public const string SigningKey = "test-signing-key-0123456789-0123456789-0123456789";
    public const string KeySecret = "test-key-secret-0123456789-0123456789";

    /// <summary>A failed grain-to-grain (or API-to-grain) call on demand, in the co-hosted silo.</summary>
    public OutgoingCallFaults CallFaults { get; } = new();

    /// <summary>A failed grain-state write on demand (the co-hosted silo's storage).</summary>
    public StorageFaults StorageFaults { get; } = new();

    /// <summary>Rejected grain calls on demand, for requests that ask for them by header.</summary>
    public GrainCallFaults Faults { get; } = new();

    public IEnumerable<KeyValuePair<string, string>> Settings() => BaseSettings().Concat(ExtraSettings());

    /// <summary>Settings a collection's own factory adds (or overrides: later keys win).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings() => [];

    private IEnumerable<KeyValuePair<string, string>> BaseSettings() =>
    [
        new("Api:CoHostSilo", "true"),
        new("Orleans:Providers", "Memory"),
        new("Orleans:ClusterId", "test-" + Guid.NewGuid().ToString("N")[..8]),
        new("Orleans:SiloPort", _siloPort.ToString()),
        new("Orleans:GatewayPort", _gatewayPort.ToString()),
        new("Auth:SigningKey", SigningKey),
        new("Auth:BootstrapAdminPassword", AdminPassword),
        new("Privacy:KeySecret", KeySecret),
        // Every test client shares one address; the per-address code limit has its own test (AuthHardeningOwnSystemTests).
        new("Auth:CodeRequestsPerAddressPerHour", "100000"),
        // Push roll-ups quickly so tests that poll for counts finish fast.
        new("Deadlines:RollupInterval", "00:00:00.200"),
        new("Deadlines:HistoryInterval", "00:00:00.200"),
    ];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task? _regions;

    /// <summary>Loads a small synthetic region tree once per factory (the six real counties, 60 villages).</summary>
    public Task SeedRegionsAsync() => _regions ??= SeedAsync();

    private async Task SeedAsync()
    {
        var admin = await AdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/admin/regions/generate", new GenerateRegionsRequest(2020, 60));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The villages of the seeded tree, in code order.</summary>
    public async Task<IReadOnlyList<RegionDto>> VillagesAsync()
    {
        await SeedRegionsAsync();
        var client = CreateClient();
        var result = new List<RegionDto>();
        foreach (var county in (await client.GetFromJsonAsync<List<RegionDto>>("/api/regions?parent=411200"))!)
            foreach (var township in (await client.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={county.Code}"))!)
                result.AddRange((await client.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={township.Code}"))!);
        return result;
    }

    /// <summary>A client signed in as the bootstrap administrator (waits, with a deadline, for the bootstrap to finish).</summary>
    public async Task<HttpClient> AdminClientAsync() => await StaffClientAsync("admin", AdminPassword);

    public async Task<HttpClient> StaffClientAsync(string username, string password)
    {
        var client = CreateClient();
        var response = await Eventually.Until(
            () => client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, password)),
            r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(30), $"a sign-in as {username}");
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }

    /// <summary>Creates a staff account through the admin API and returns a client signed in as it.</summary>
    public async Task<HttpClient> NewStaffAsync(string role, string jurisdiction, string? checkpointId = null)
    {
        await SeedRegionsAsync(); // an account's jurisdiction must exist in the region tree
        var admin = await AdminClientAsync();
        var username = $"{role}-{Guid.NewGuid():N}"[..20];
        var response = await admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, "password-1234", "Test " + role, role, jurisdiction, checkpointId));
        response.EnsureSuccessStatusCode();
        return await StaffClientAsync(username, "password-1234");
    }
}

[CollectionDefinition("api")]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>;
