using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Dashboard;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.Silo.Hosting;
using Xunit.Abstractions;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>
/// The dashboard push path (docs/dashboard.md, "N API processes, M silos" and "Recovery") with real processes:
/// two silo processes and two API processes (Orleans clients) on the fixture's PostgreSQL, one SignalR client on
/// each API watching the city. A change made through one API reaches both browsers; after the silo that hosts the
/// hub-list grain is SIGKILLed, a change reaches both again within <see cref="RecoveryLimit"/>; after one API
/// process is restarted (SIGTERM, start again on the same port), its browser reconnects, re-subscribes and gets
/// the next change. Every wait is a read from an update channel or a poll with a deadline; nothing sleeps to wait
/// for state. Timings are written to the test output.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DashboardRecoveryTests(PostgresFixture postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const string City = "411200";
    private const string AdminPassword = "dash-recovery-admin-password";
    /// <summary>
    /// A village retries a failed summary write this often (2 s by default): short, so a write that failed on the
    /// killed silo's side is retried quickly; what this test is about is the push path. The roll-up's and the grain
    /// directory's information lines are in the silos' output, so a failure shows which roll-up grains the silo's death
    /// deactivated on the survivor and which handed their counts to a new activation (docs/dashboard.md, "Recovery").
    /// </summary>
    private static readonly Dictionary<string, string> SiloSettings = new()
    {
        ["Deadlines__VillageSaveInterval"] = "00:00:00.200",
        ["Logging__LogLevel__Sanmenxia.Grains.Regions"] = "Information",
        ["Logging__LogLevel__Sanmenxia.Grains.Villages"] = "Information",
        ["Logging__LogLevel__Orleans.Runtime.GrainDirectory"] = "Information",
    };
    /// <summary>From the SIGKILL to both browsers showing the change made after it.</summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(60);
    /// <summary>
    /// For a change on a healthy cluster to reach a browser. A deadline, not a speed target: by design it takes four
    /// roll-up levels and one publish interval (0.3–1.5 s measured, written to the test output), but a loaded CI
    /// machine may take longer. A notifier stalled on a lost observer response (see DashboardNotifierGrain) is
    /// caught by what it logs (the check after the first change), not by timing.
    /// </summary>
    private static readonly TimeSpan PushLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly List<NodeProcess> _processes = [];
    private readonly List<DashboardWatcher> _watchers = [];
    private IHost? _client;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task Both_API_processes_push_a_change_and_recover_after_a_silo_is_killed_and_an_API_restarts()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("dash_recovery");
        var clusterId = "dashrec-" + Guid.NewGuid().ToString("N")[..8];
        var secrets = new NodeSecrets("dash-recovery-signing-key-" + Guid.NewGuid().ToString("N"), "dash-recovery-key-secret-" + Guid.NewGuid().ToString("N"));

        // ---- 1. two silo processes, then two API processes joining them as Orleans clients.
        var silos = new[] { NodeProcess.StartSilo("silo-0", connectionString, clusterId, secrets, SiloSettings), NodeProcess.StartSilo("silo-1", connectionString, clusterId, secrets, SiloSettings) };
        _processes.AddRange(silos);
        await Eventually.Until(async () => (await ActiveSiloPortsAsync(connectionString, clusterId)).Count == 2, StartLimit, "2 silo processes to be Active");
        var apiPorts = new[] { ApiFactory.FreePort(), ApiFactory.FreePort() };
        var api = new[]
        {
            NodeProcess.StartApi("api-0", apiPorts[0], connectionString, clusterId, secrets, AdminPassword),
            NodeProcess.StartApi("api-1", apiPorts[1], connectionString, clusterId, secrets, AdminPassword),
        };
        _processes.AddRange(api);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Task.WhenAll(api.Select(a => WaitReadyAsync(http, a)));
        Log($"cluster up: silos on ports {silos[0].Port}, {silos[1].Port}; APIs on {apiPorts[0]}, {apiPorts[1]}");

        // The test's own Orleans client only observes (where the hub list lives, who is registered); every change goes through HTTP.
        _client = await ClusterClient.StartAsync(connectionString, clusterId);
        var grains = _client.Services.GetRequiredService<IClusterClient>();
        var hubList = grains.GetGrain<IDashboardHubListGrain>(0);
        var registeredBefore = await WaitForSubscribersAsync(hubList, l => l.Count == 2, StartLimit, "both API processes to register their dashboard observer");

        // Regions, a city commander, and three residents of one village (registered now; each change below is one applying).
        var admin = await AdminTokenAsync(http, api[0]);
        var generate = await SendAsync(http, HttpMethod.Post, api[0].Url("/api/admin/regions/generate"), admin, new GenerateRegionsRequest(2020, 60));
        Assert.Equal(HttpStatusCode.OK, generate.StatusCode);
        var village = await FirstVillageAsync(http, api[0], admin);
        var commander = await CommanderTokenAsync(http, api[0], admin);
        var residents = new List<string>();
        for (var i = 0; i < 3; i++) residents.Add(await RegisterResidentAsync(http, api[0], admin, village, "恢复" + i));

        // ---- 2. one browser on each API process, both watching the city.
        var watchers = new[]
        {
            await DashboardWatcher.ConnectAsync("browser-0", api[0].Url("/hubs/dashboard"), commander, City),
            await DashboardWatcher.ConnectAsync("browser-1", api[1].Url("/hubs/dashboard"), commander, City),
        };
        _watchers.AddRange(watchers);
        foreach (var w in watchers)
        {
            Assert.Equal(City, w.LastSnapshot!.Code);
            Assert.Equal(0, w.LastSnapshot.Counts.Applied); // nobody has applied yet: each change below is +1
        }

        // ---- 3. a change through API 0 reaches the browsers of both API processes.
        var changedAt = _clock.Elapsed;
        await ApplyAsync(http, api[0], residents[0], RecoveryLimit);
        var first = await BothSeeAsync(watchers, 1, PushLimit, "the first change (healthy cluster)");
        Log($"change 1: pushed to both browsers {Since(changedAt)} after the apply was sent ({Describe(first)})");

        // On a healthy cluster no notifier call to an API process may fail or time out (each stalls that process's pushes).
        Assert.DoesNotContain(silos.SelectMany(s => s.Lines()), l => l.Contains("DashboardNotifierGrain", StringComparison.Ordinal)
            && (l.Contains(" failed (", StringComparison.Ordinal) || l.Contains("not reachable", StringComparison.Ordinal)));

        // ---- 4. SIGKILL the silo hosting the hub-list grain (the list then exists nowhere), then change again.
        var management = grains.GetGrain<IManagementGrain>(0);
        var listSilo = await management.GetActivationAddress(hubList);
        Assert.NotNull(listSilo);
        var citySilo = await management.GetActivationAddress(grains.GetGrain<Sanmenxia.Villages.IRegionGrain>(City));
        var victim = silos.Single(s => s.Port == listSilo.Endpoint.Port);
        var survivor = silos.Single(s => s != victim);
        Log($"hub list on {victim.Name} (port {victim.Port}); city region grain on port {citySilo?.Endpoint.Port.ToString() ?? "?"}; SIGKILL {victim.Name}");
        var killedAt = _clock.Elapsed;
        victim.Kill();

        var (retries, acknowledgedAt) = await ApplyAsync(http, api[0], residents[1], RecoveryLimit);
        Log($"change 2: acknowledged {acknowledgedAt - killedAt:s\\.f} s after the kill ({retries} retries on 503)");
        var second = await BothSeeAsync(watchers, 2, RecoveryLimit - (_clock.Elapsed - killedAt), "the change made after the kill");
        Log($"change 2: pushed to both browsers {Since(killedAt)} after the kill, {Since(acknowledgedAt)} after it was acknowledged ({Describe(second)})");
        // The survivor now hosts the list, rebuilt from the API processes' renewals: the same two processes.
        var rebuilt = await WaitForSubscribersAsync(hubList, l => l.Count == 2, RecoveryLimit, "the hub list to hold both API processes again");
        Assert.Equal(registeredBefore.Order(), rebuilt.Order());
        Assert.Equal(survivor.Port, (await management.GetActivationAddress(hubList))?.Endpoint.Port);

        // ---- 5. restart API 1 (SIGTERM, then start it again on the same port); its browser reconnects as the page does.
        var restartedAt = _clock.Elapsed;
        await api[1].TerminateAsync(TimeSpan.FromSeconds(30));
        await Eventually.Until(() => Task.FromResult(watchers[1].IsDisconnectedOrReconnecting), TimeSpan.FromSeconds(10), "browser-1 to notice its API process stopped");
        var resubscribed = watchers[1].NextSubscription();
        api[1] = NodeProcess.StartApi("api-1b", apiPorts[1], connectionString, clusterId, secrets, AdminPassword);
        _processes.Add(api[1]);
        await WaitReadyAsync(http, api[1]);
        var snapshot = await resubscribed.WaitAsync(StartLimit);
        Log($"browser-1 re-subscribed {Since(restartedAt)} after its API process was stopped; snapshot applied={snapshot.Counts.Applied}");
        Assert.Equal(2, snapshot.Counts.Applied); // the snapshot on re-subscription already shows what happened before
        // The stopped process unregistered; its new run registered under a new id; API 0's registration is untouched.
        var api0Id = registeredBefore.Single(id => ProcessOf(id) == api[0].Pid);
        await WaitForSubscribersAsync(hubList, l => l.Count == 2 && l.Contains(api0Id) && l.Any(id => ProcessOf(id) == api[1].Pid),
            StartLimit, "the restarted API process to replace its registration");

        changedAt = _clock.Elapsed;
        await ApplyAsync(http, api[1], residents[2], RecoveryLimit); // through the restarted process this time
        var third = await BothSeeAsync(watchers, 3, PushLimit, "the change after the API restart");
        Log($"change 3: pushed to both browsers {Since(changedAt)} after the apply was sent ({Describe(third)})");
    }

    // ------------------------------------------------------------------ what the browsers see

    /// <summary>
    /// Waits until each watcher received a pushed update (version &gt; 0, so not a snapshot) of the city with at least
    /// <paramref name="applied"/> applications, then checks it is exactly that (one change, counted once) and that the
    /// city's total is the sum of its counties' lines.
    /// </summary>
    private async Task<TimeSpan[]> BothSeeAsync(DashboardWatcher[] watchers, int applied, TimeSpan limit, string what)
    {
        var start = _clock.Elapsed;
        var seen = await Task.WhenAll(watchers.Select(async w =>
        {
            var update = await w.WaitForAsync(u => u.Code == City && u.Version > 0 && u.Counts.Applied >= applied, limit, $"{what}: city applied ≥ {applied}",
                () => Diagnostics());
            return (Update: update, At: _clock.Elapsed - start);
        }));
        foreach (var (update, _) in seen)
        {
            Assert.Equal(applied, update.Counts.Applied);
            Assert.Equal(update.Counts.Applied, update.Children.Sum(c => c.Counts.Applied));
            Assert.Equal(6, update.Children.Count);
        }
        return seen.Select(s => s.At).ToArray();
    }

    /// <summary>The OS process of a registration id (machine:pid:guid, see DashboardRegistration.ProcessId).</summary>
    private static int ProcessOf(string registrationId) => int.Parse(registrationId.Split(':')[^2]);

    private static string Describe(TimeSpan[] waits) => string.Join(", ", waits.Select((t, i) => $"browser-{i} after {t.TotalSeconds:0.0} s of waiting"));

    private string Since(TimeSpan start) => $"{(_clock.Elapsed - start).TotalSeconds:0.0} s";

    private void Log(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0}s {DateTime.Now:HH:mm:ss.fff}] {line}");

    private string Diagnostics() =>
        string.Join("\n", _processes.Select(p => p.Tail())) + "\n" + string.Join("\n", _watchers.Select(w => w.Describe()));

    // ------------------------------------------------------------------ the API as a client would use it


    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType());
        return await http.SendAsync(request);
    }

    private static async Task<string> AdminTokenAsync(HttpClient http, NodeProcess api)
    {
        // The bootstrap administrator is created by the API processes once the cluster answers.
        string? token = null;
        await Eventually.Until(async () =>
        {
            var response = await http.PostAsJsonAsync(api.Url("/api/auth/staff/login"), new StaffLoginRequest("admin", AdminPassword));
            if (response.IsSuccessStatusCode) token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
            return token is not null;
        }, StartLimit, "the bootstrap administrator");
        return token!;
    }

    private static async Task<string> CommanderTokenAsync(HttpClient http, NodeProcess api, string admin)
    {
        var username = "cmd-" + Guid.NewGuid().ToString("N")[..12];
        var created = await SendAsync(http, HttpMethod.Post, api.Url("/api/admin/staff"), admin,
            new CreateStaffRequest(username, "password-1234", "Recovery commander", "commander", City, null));
        Assert.True(created.IsSuccessStatusCode, $"create commander: {created.StatusCode}");
        var login = await http.PostAsJsonAsync(api.Url("/api/auth/staff/login"), new StaffLoginRequest(username, "password-1234"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
    }

    private static async Task<string> FirstVillageAsync(HttpClient http, NodeProcess api, string token)
    {
        var code = City;
        for (var level = 0; level < 3; level++) // county, township, village
        {
            var children = await (await SendAsync(http, HttpMethod.Get, api.Url($"/api/regions?parent={code}"), token)).Content.ReadFromJsonAsync<List<RegionDto>>();
            Assert.NotNull(children);
            Assert.NotEmpty(children);
            code = children[0].Code;
        }
        return code;
    }

    /// <summary>Signs a new resident in by phone (the code from this API process's development outbox) and registers them.</summary>
    private static async Task<string> RegisterResidentAsync(HttpClient http, NodeProcess api, string admin, string village, string name)
    {
        var phone = ResidentFlow.NewPhone();
        Assert.True((await http.PostAsJsonAsync(api.Url("/api/auth/resident/code"), new ResidentCodeRequest(phone))).IsSuccessStatusCode);
        var outbox = await SendAsync(http, HttpMethod.Post, api.Url("/api/admin/dev/outbox"), admin, new OutboxRequest(phone));
        var code = (await outbox.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
        var login = await http.PostAsJsonAsync(api.Url("/api/auth/resident/login"), new ResidentLoginRequest(phone, code));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var phoneToken = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
        var registered = await SendAsync(http, HttpMethod.Post, api.Url("/api/residents/me"), phoneToken,
            new RegisterResidentRequest(name, ResidentFlow.NewIdNumber(), village, phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>
    /// The resident applies for a code, retrying on 503 as a real client does (after Retry-After, at most 2 s here).
    /// Applying is a state, not an event, so a retry after a 503 whose call did run still counts the resident once;
    /// it may then be refused as a repeat (422), which also means the application is in.
    /// </summary>
    private async Task<(int Retries, TimeSpan AcknowledgedAt)> ApplyAsync(HttpClient http, NodeProcess api, string token, TimeSpan limit)
    {
        var deadline = _clock.Elapsed + limit;
        for (var retries = 0; ; retries++)
        {
            var response = await SendAsync(http, HttpMethod.Post, api.Url("/api/residents/me/apply"), token, new ApplyRequest(36.5m, true));
            if (response.StatusCode == HttpStatusCode.OK || (retries > 0 && response.StatusCode == HttpStatusCode.UnprocessableEntity))
                return (retries, _clock.Elapsed);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable,
                $"apply through {api.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.True(_clock.Elapsed < deadline, $"apply through {api.Name} still 503 after {limit.TotalSeconds:0} s");
            var retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            await Task.Delay(retryAfter < TimeSpan.FromSeconds(2) ? retryAfter : TimeSpan.FromSeconds(2)); // client back-off, not a wait for state
        }
    }

    private static async Task WaitReadyAsync(HttpClient http, NodeProcess api) =>
        await Eventually.Until(async () =>
        {
            Assert.False(api.HasExited, $"{api.Name} exited:\n{api.Tail()}");
            try { return (await http.GetAsync(api.Url("/health/ready"))).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; } // not listening yet
        }, StartLimit, $"{api.Name} to be ready");

    // ------------------------------------------------------------------ observing the cluster

    private static async Task<List<string>> WaitForSubscribersAsync(IDashboardHubListGrain list, Func<List<string>, bool> condition, TimeSpan limit, string what)
    {
        List<string> ids = [];
        await Eventually.Until(async () =>
        {
            try { ids = (await list.GetAsync()).Subscribers.Select(s => s.ProcessId).ToList(); }
            catch (Exception e) when (e is TimeoutException or OrleansException or SiloUnavailableException) { return false; }
            return condition(ids);
        }, limit, what);
        return ids;
    }

    private static async Task<List<int>> ActiveSiloPortsAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT port FROM orleans_membership WHERE deployment_id = @d AND status = 3", connection);
        command.Parameters.AddWithValue("d", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var ports = new List<int>();
        while (await reader.ReadAsync()) ports.Add(reader.GetInt32(0));
        return ports;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try { output.WriteLine(Diagnostics()); } catch (InvalidOperationException) { /* no test running */ }
        foreach (var watcher in _watchers) await watcher.DisposeAsync();
        if (_client is not null)
        {
            try { await _client.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { /* the cluster is being torn down */ }
            _client.Dispose();
        }
        foreach (var process in _processes.AsEnumerable().Reverse()) process.Dispose(); // APIs first, then silos
    }

    // ------------------------------------------------------------------ a browser

    /// <summary>
    /// A dashboard page's connection, as wwwroot/js/dashboard.js makes it: automatic reconnect with back-off, a new
    /// start when the connection closed for good, and after either a fresh Subscribe (groups do not survive a new
    /// connection). The page's delays are 0.5 s doubling to 10 s and 5 s after a close; here 0.5 s doubling to 2 s
    /// and 1 s, to keep the test short.
    /// </summary>
    private sealed class DashboardWatcher : IAsyncDisposable
    {
        private readonly Channel<RegionUpdate> _updates = Channel.CreateUnbounded<RegionUpdate>();
        private readonly ConcurrentQueue<string> _events = new();
        private readonly string _region;
        private readonly CancellationTokenSource _disposed = new();
        private TaskCompletionSource<RegionUpdate> _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private HubConnection _connection = null!;

        private DashboardWatcher(string name, string region) => (Name, _region) = (name, region);

        public string Name { get; }
        public RegionUpdate? LastSnapshot { get; private set; }
        public bool IsDisconnectedOrReconnecting => _connection.State != HubConnectionState.Connected;

        public static async Task<DashboardWatcher> ConnectAsync(string name, string url, string token, string region)
        {
            var watcher = new DashboardWatcher(name, region);
            watcher._connection = new HubConnectionBuilder()
                .WithUrl(url, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .WithAutomaticReconnect(new BackOff())
                .Build();
            var connection = watcher._connection;
            connection.On<RegionUpdate>("regionUpdate", u =>
            {
                watcher.Note($"update v{u.Version} {u.Code} applied={u.Counts.Applied}");
                watcher._updates.Writer.TryWrite(u);
            });
            connection.Reconnecting += e => { watcher.Note($"reconnecting ({e?.GetType().Name})"); return Task.CompletedTask; };
            connection.Reconnected += async _ => { watcher.Note("reconnected"); await watcher.SubscribeAsync(); };
            connection.Closed += e => { watcher.Note($"closed ({e?.GetType().Name})"); _ = watcher.RestartAsync(); return Task.CompletedTask; };
            await connection.StartAsync();
            await watcher.SubscribeAsync();
            return watcher;
        }

        /// <summary>Completes with the snapshot of the next successful (re-)subscription.</summary>
        public Task<RegionUpdate> NextSubscription()
        {
            _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _subscribed.Task;
        }

        private async Task SubscribeAsync()
        {
            try
            {
                var snapshot = await _connection.InvokeAsync<RegionUpdate>("Subscribe", _region);
                LastSnapshot = snapshot;
                Note($"subscribed, snapshot applied={snapshot.Counts.Applied}");
                _subscribed.TrySetResult(snapshot);
            }
            catch (Exception e) when (_connection.State != HubConnectionState.Connected || e is HubException)
            {
                Note($"subscribe failed: {e.GetType().Name} {e.Message}");
                if (e is HubException) throw;
            }
        }

        /// <summary>The page's onclose: start again every second until it works (or the test ends).</summary>
        private async Task RestartAsync()
        {
            while (!_disposed.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _disposed.Token); // the page's retry pacing
                    await _connection.StartAsync(_disposed.Token);
                    Note("started again");
                    await SubscribeAsync();
                    return;
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested) { return; }
                catch (Exception e) { Note($"start failed: {e.GetType().Name}"); }
            }
        }

        /// <summary>Reads updates until one matches, or fails at the deadline with what this browser saw.</summary>
        public async Task<RegionUpdate> WaitForAsync(Func<RegionUpdate, bool> match, TimeSpan limit, string what, Func<string> diagnostics)
        {
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                while (true)
                {
                    var update = await _updates.Reader.ReadAsync(timeout.Token);
                    if (match(update)) return update;
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name}: no update within {limit.TotalSeconds:0} s: {what}\n{diagnostics()}");
            }
        }

        private void Note(string what)
        {
            _events.Enqueue($"{DateTime.Now:HH:mm:ss.fff} {what}");
            while (_events.Count > 100) _events.TryDequeue(out _);
        }

        public string Describe() => $"--- {Name} ({_connection.State}):\n  " + string.Join("\n  ", _events);

        public async ValueTask DisposeAsync()
        {
            await _disposed.CancelAsync();
            await _connection.DisposeAsync();
        }

        private sealed class BackOff : IRetryPolicy
        {
            public TimeSpan? NextRetryDelay(RetryContext context) =>
                context.ElapsedTime > TimeSpan.FromSeconds(90) ? null
                    : TimeSpan.FromMilliseconds(Math.Min(2_000, 500 * Math.Pow(2, Math.Min(context.PreviousRetryCount, 5))));
        }
    }
}
