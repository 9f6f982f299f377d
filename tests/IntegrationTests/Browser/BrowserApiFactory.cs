using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The same host as <see cref="ApiFactory"/> (co-hosted silo on memory providers, fake clock, test secrets)
/// but served by Kestrel on a free loopback port, so a real browser can load the pages and call the API.
/// </summary>
public sealed class BrowserApiFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = ApiFactory.AdminPassword;

    /// <summary>The clock every grain and the API read; tests advance it to cross day boundaries.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)));

    public int Port { get; } = ApiFactory.FreePort();

    /// <summary>http://127.0.0.1:port/ once <see cref="Start"/> has run.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    private readonly int _siloPort = ApiFactory.FreePort();
    private readonly int _gatewayPort = ApiFactory.FreePort();

    public BrowserApiFactory()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
    }

    /// <summary>Starts Kestrel (and the co-hosted silo).</summary>
    public void Start() => StartServer();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings()) builder.UseSetting(key, value);
        // As ApiFactory: only the domain clock (health-code days, QR lifetimes, /api/time) is fake; Orleans
        // and token lifetimes keep the system clock.
        builder.ConfigureTestServices(services => services.AddKeyedSingleton<TimeProvider>(Sanmenxia.Platform.Time.DomainClock.Key, Clock));
    }

    /// <summary>ApiFactory's settings (so the two hosts stay alike), with this factory's own cluster id and ports.</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings()
    {
        using var api = new ApiFactory(); // never started: only its settings are read
        var own = new Dictionary<string, string>
        {
            ["Orleans:ClusterId"] = "browser-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans:SiloPort"] = _siloPort.ToString(),
            ["Orleans:GatewayPort"] = _gatewayPort.ToString(),
        };
        return api.Settings().Where(s => !own.ContainsKey(s.Key)).Concat(own).ToList();
    }

    /// <summary>A plain HTTP client over the loopback socket (the same path the browser takes).</summary>
    public HttpClient HttpClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client signed in as the bootstrap administrator (waits, with a deadline, for the bootstrap to finish).</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var client = HttpClient();
        var response = await Eventually.Until(
            () => client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest("admin", AdminPassword)),
            r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "a sign-in as admin");
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }
}
