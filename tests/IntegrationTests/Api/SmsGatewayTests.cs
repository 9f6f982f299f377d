using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// With <c>Auth:MessageSender=Http</c> the one-time code goes to the SMS gateway (the number in the body only), the
/// development outbox is off, a resident signs in with the code the gateway carried, and a gateway that fails is a
/// 503 + Retry-After, not a 500. The gateway is a fake HTTP handler; the rest is the real API and silo.
/// </summary>
public sealed class SmsGatewayTests : IAsyncLifetime
{
    private readonly ApiFactory _base = new();
    private readonly FakeGateway _gateway = new();
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _api = null!;

    public Task InitializeAsync()
    {
        _api = _base.WithWebHostBuilder(b =>
        {
            b.UseSetting("Auth:MessageSender", "Http");
            b.UseSetting("Auth:SmsGateway:Url", "http://sms-gateway.test/send");
            b.UseSetting("Auth:SmsGateway:Token", "gateway-token");
            b.ConfigureTestServices(s => s.AddHttpClient(HttpSmsSender.ClientName).ConfigurePrimaryHttpMessageHandler(() => _gateway));
        });
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_code_goes_to_the_gateway_signs_the_resident_in_and_a_failing_gateway_is_a_503()
    {
        var client = _api.CreateClient();
        var phone = ResidentFlow.NewPhone();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).StatusCode);

        var (authorization, body) = Assert.Single(_gateway.Received);
        Assert.Equal("Bearer gateway-token", authorization);
        var message = JsonDocument.Parse(body).RootElement;
        Assert.Equal(phone, message.GetProperty("to").GetString());
        var code = System.Text.RegularExpressions.Regex.Match(message.GetProperty("text").GetString()!, @"\d{6}").Value;
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, code));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        // With a real sender configured there is no development outbox to read codes from.
        var admin = _api.CreateClient();
        // The bootstrap administrator is created as the host starts: wait for it, with a deadline (as ApiFactory.StaffClientAsync).
        var adminLogin = await Sanmenxia.IntegrationTests.Support.Eventually.Until(
            () => admin.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest("admin", ApiFactory.AdminPassword)),
            r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "a sign-in as the bootstrap administrator");
        admin.DefaultRequestHeaders.Authorization = new("Bearer", (await adminLogin.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone))).StatusCode);

        _gateway.Answer = HttpStatusCode.BadGateway;
        var failed = await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(ResidentFlow.NewPhone()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.NotNull(failed.Headers.RetryAfter);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void An_unknown_message_sender_stops_the_start_with_its_name()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:MessageSender"] = "Sms" }).Build();
        var refused = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddSanmenxiaMessageSender(configuration));
        Assert.Contains("'Sms'", refused.Message);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _base.DisposeAsync();
    }

    private sealed class FakeGateway : HttpMessageHandler
    {
        public ConcurrentQueue<(string? Authorization, string Body)> Received { get; } = new();
        public HttpStatusCode Answer { get; set; } = HttpStatusCode.OK;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Received.Enqueue((request.Headers.Authorization?.ToString(), await request.Content!.ReadAsStringAsync(ct)));
            return new HttpResponseMessage(Answer);
        }
    }
}
