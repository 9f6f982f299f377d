using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// One API on a loopback port and one headless Chromium (Debian's /usr/bin/chromium, never a downloaded
/// browser) for the whole "browser" collection. Each test opens its own browser context (own storage).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private HttpClient? _admin;
    private int _phoneCounter;

    public BrowserApiFactory Factory { get; } = new();
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser fixture is not initialised.");
    public HttpClient Admin => _admin ?? throw new InvalidOperationException("The browser fixture is not initialised.");

    /// <summary>Where screenshots go: artifacts/screenshots/ at the repository root (git-ignored).</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    /// <summary>The repository's root folder (where Sanmenxia.Orleans.sln is).</summary>
    public static string Root { get; } = RepositoryRoot();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install -y chromium fonts-noto-cjk (./sanmenxia test installs it).");
        Factory.Start();
        _admin = await Factory.AdminClientAsync();
        await EnsureRegionsAsync();
        Directory.CreateDirectory(ScreenshotDirectory);

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        _admin?.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>A fresh context sized like a phone, in Chinese, on Beijing time; default timeouts suit a loaded CI box.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Factory.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 412, Height = 915 },
            DeviceScaleFactor = 1,
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    /// <summary>A mainland mobile number no other test uses.</summary>
    public string NewPhone() => $"139{Environment.ProcessId % 10000:D4}{Interlocked.Increment(ref _phoneCounter) % 10000:D4}";

    /// <summary>The development one-time code last sent to a phone, read back as administrator.</summary>
    public async Task<string> ReadCodeAsync(string phone)
    {
        var response = await Admin.PostAsJsonAsync("/api/admin/dev/outbox", new { phone });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("code").GetString()!;
    }

    public string ScreenshotPath(string name) => Path.Combine(ScreenshotDirectory, name + ".png");

    // As ApiFactory.SeedRegionsAsync: a small synthetic tree (the six real counties, 60 villages), then
    // check that the registration form's cascade county → township → village has something to pick.
    private async Task EnsureRegionsAsync()
    {
        var generated = await Admin.PostAsJsonAsync("/api/admin/regions/generate", new GenerateRegionsRequest(2020, 60));
        generated.EnsureSuccessStatusCode();
        using var anonymous = Factory.HttpClient();
        var parent = "411200";
        foreach (var level in new[] { "county", "township", "village" })
        {
            using var json = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/regions?parent={parent}"));
            if (json.RootElement.GetArrayLength() == 0) throw new InvalidOperationException($"No {level} under {parent} after generating regions.");
            parent = json.RootElement[0].GetProperty("code").GetString()!;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sanmenxia.Orleans.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;
