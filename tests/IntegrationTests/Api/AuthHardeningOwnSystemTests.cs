using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Sign-in limits and audited actions on a system of their own: a fake sign-in clock (code pauses and windows), a
/// small per-address code limit, and an audit log that fails on demand. Each test calls from its own client address.
/// </summary>
public sealed class AuthHardeningOwnSystemTests(AuthHardeningOwnSystemTests.OwnSystem system) : IClassFixture<AuthHardeningOwnSystemTests.OwnSystem>
{
    public const int CodesPerAddress = 3;

    [Fact]
    public async Task Wrong_codes_are_counted_per_phone_across_new_codes_and_lock_the_phone()
    {
        var client = system.Client("198.51.100.1");
        var phone = ResidentFlow.NewPhone();
        var first = await system.SendCodeAsync(client, phone);
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await Login(client, phone, Wrong(first))).StatusCode);

        // A new code used to reset the count: five more guesses per code, without end.
        system.SignInClock.Advance(TimeSpan.FromSeconds(31));
        var second = await system.SendCodeAsync(client, phone);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Login(client, phone, Wrong(second))).StatusCode);

        // Five wrong in the window: locked, the right code included, and no new code.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Login(client, phone, second)).StatusCode);
        system.SignInClock.Advance(TimeSpan.FromSeconds(31));
        var again = await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone));
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
    }

    [Fact]
    public async Task Codes_are_limited_per_phone_and_per_client_address()
    {
        // Five codes an hour to one phone, from whatever addresses (each its own here, so that limit is not reached).
        var phone = ResidentFlow.NewPhone();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await system.Client($"198.51.100.{20 + i}").PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).StatusCode);
            system.SignInClock.Advance(TimeSpan.FromSeconds(31));
        }
        var sixth = await system.Client("198.51.100.30").PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone));
        Assert.Equal(HttpStatusCode.TooManyRequests, sixth.StatusCode);
        Assert.NotNull(sixth.Headers.RetryAfter);

        // One address asking for codes for phone after phone.
        var flooder = system.Client("198.51.100.3");
        for (var i = 0; i < CodesPerAddress; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await flooder.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(ResidentFlow.NewPhone()))).StatusCode);
        var refused = await flooder.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(ResidentFlow.NewPhone()));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.StartsWith("application/problem+json", refused.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task A_burst_of_concurrent_wrong_passwords_gets_no_more_verdicts_than_the_limit()
    {
        var admin = await system.AdminClientAsync();
        var username = "burst-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest(username, "password-1234", "Burst", Roles.VillageStaff, "411200", null))).EnsureSuccessStatusCode();

        var client = system.Client("198.51.100.4");
        var burst = await Task.WhenAll(Enumerable.Range(0, 48).Select(i =>
            client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, "wrong-password-" + i))));
        // Ten wrong passwords lock the account: exactly ten were checked, the others refused unchecked.
        Assert.Equal(10, burst.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(38, burst.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, "password-1234"))).StatusCode);
    }

    [Fact]
    public async Task An_unknown_username_locks_like_an_existing_one()
    {
        var client = system.Client("198.51.100.5");
        var nobody = "nobody-" + Guid.NewGuid().ToString("N")[..10];
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(nobody, "wrong-password-" + i))).StatusCode);
        // Otherwise the eleventh attempt would tell whether the name exists.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(nobody, "wrong-password"))).StatusCode);
    }

    [Fact]
    public async Task An_action_whose_audit_entry_fails_does_not_happen()
    {
        var commander = await system.NewStaffAsync(Roles.Commander, "411200");
        var published = await commander.PostAsJsonAsync("/api/trips/cases",
            new PublishCaseRequest("Train", "G7001", new DateOnly(2020, 1, 30), 3, 5, "A", "Wuhan", "Sanmenxia", "Audit test"));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var body = await published.Content.ReadFromJsonAsync<JsonElement>();
        var (trip, caseId) = (body.GetProperty("trip").GetString()!, body.GetProperty("published").GetProperty("caseId").GetString()!);

        system.Audit.FailAction = "trip.case.withdraw";
        var withdraw = await commander.PostAsJsonAsync($"/api/trips/{trip}/cases/{caseId}/withdraw", new ReasonRequest("wrong seat"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, withdraw.StatusCode);
        Assert.Contains(caseId, await CasesAsync(commander));

        system.Audit.FailAction = "trip.case.publish";
        var unpublished = await commander.PostAsJsonAsync("/api/trips/cases",
            new PublishCaseRequest("Train", "G7001", new DateOnly(2020, 1, 30), 4, 6, "B", "Wuhan", "Sanmenxia", "Audit test"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unpublished.StatusCode);
        Assert.Single(await CasesAsync(commander));

        system.Audit.FailAction = "staff.disable";
        var admin = await system.AdminClientAsync();
        var username = "audit-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest(username, "password-1234", "Audit", Roles.Commander, "411200", null))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.PostAsync($"/api/admin/staff/{username}/disable", null)).StatusCode);
        system.Audit.FailAction = null;
        await system.StaffClientAsync(username, "password-1234"); // still enabled
    }

    private static async Task<List<string>> CasesAsync(HttpClient commander)
    {
        var trips = await commander.GetFromJsonAsync<JsonElement>("/api/trips/cases");
        return trips.EnumerateArray().SelectMany(t => t.GetProperty("cases").EnumerateArray()).Select(c => c.GetProperty("caseId").GetString()!).ToList();
    }

    private static Task<HttpResponseMessage> Login(HttpClient client, string phone, string code) =>
        client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, code));

    private static string Wrong(string code) => code == "000000" ? "000001" : "000000";

    /// <summary>The system these tests share.</summary>
    public sealed class OwnSystem : IAsyncLifetime
    {
        public ApiFactory Base { get; } = new();
        public FakeTimeProvider SignInClock { get; } = new(DateTimeOffset.UtcNow);
        public FailingAuditLog Audit { get; } = new();
        public WebApplicationFactory<Program> Factory { get; private set; } = null!;

        public Task InitializeAsync()
        {
            Factory = Base.WithWebHostBuilder(b =>
            {
                b.UseSetting("Auth:CodeRequestsPerAddressPerHour", CodesPerAddress.ToString());
                b.ConfigureTestServices(services =>
                {
                    services.AddKeyedSingleton<TimeProvider>(Sanmenxia.Platform.Time.SignInClock.Key, SignInClock);
                    services.AddSingleton<IAuditLog>(Audit);
                });
            });
            return Task.CompletedTask;
        }

        /// <summary>A client whose requests come from <paramref name="address"/> (its own rate-limit partition).</summary>
        public HttpClient Client(string address) =>
            new(Factory.Server.CreateHandler(http => http.Connection.RemoteIpAddress = IPAddress.Parse(address))) { BaseAddress = Factory.Server.BaseAddress };

        public async Task<string> SendCodeAsync(HttpClient client, string phone)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).StatusCode);
            var admin = await AdminClientAsync();
            var sent = await (await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone))).Content.ReadFromJsonAsync<JsonElement>();
            return sent.GetProperty("code").GetString()!;
        }

        public async Task<HttpClient> NewStaffAsync(string role, string jurisdiction)
        {
            var admin = await AdminClientAsync();
            var username = $"{role}-{Guid.NewGuid():N}"[..20];
            (await admin.PostAsJsonAsync("/api/admin/staff", new CreateStaffRequest(username, "password-1234", "Test " + role, role, jurisdiction, null))).EnsureSuccessStatusCode();
            return await StaffClientAsync(username, "password-1234");
        }

        public Task<HttpClient> AdminClientAsync() => StaffClientAsync("admin", ApiFactory.AdminPassword);

        /// <summary>As ApiFactory.StaffClientAsync (waits, with a deadline, for the bootstrap administrator).</summary>
        public async Task<HttpClient> StaffClientAsync(string username, string password)
        {
            var client = Factory.CreateClient();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var response = await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, password));
                if (response.IsSuccessStatusCode)
                {
                    var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
                    client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);
                    return client;
                }
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"Could not sign in as {username}: {response.StatusCode}");
                await Task.Delay(100);
            }
        }

        public Task DisposeAsync() => DisposeAsyncCore();

        private async Task DisposeAsyncCore()
        {
            await Factory.DisposeAsync();
            await Base.DisposeAsync();
        }
    }
}

/// <summary>The in-memory audit log, failing (as an unreachable PostgreSQL would) the entries of one action on demand.</summary>
public sealed class FailingAuditLog : IAuditLog
{
    private readonly InMemoryAuditLog _inner = new();
    public volatile string? FailAction;

    public Task RecordAsync(AuditEntry entry, CancellationToken ct = default) =>
        entry.Action == FailAction ? throw new Npgsql.NpgsqlException("The audit log is not reachable (test).") : _inner.RecordAsync(entry, ct);

    public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct = default) => _inner.QueryAsync(query, ct);
}
