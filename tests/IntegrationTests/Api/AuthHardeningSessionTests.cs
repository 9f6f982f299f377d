using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>Sessions and responses: sign-out ends a resident's tokens, concurrent sign-ins work, every response carries the browser defences.</summary>
[Collection("api")]
public sealed class AuthHardeningSessionTests(ApiFactory factory)
{
    [Fact]
    public async Task A_residents_tokens_stop_working_at_sign_out()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync();
        var token = resident.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        Assert.Equal(HttpStatusCode.OK, (await resident.Client.GetAsync("/api/residents/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await resident.Client.PostAsync("/api/auth/logout", null)).StatusCode);

        // The token would otherwise work for the rest of its 7 days, for whoever copied it.
        var stolen = factory.CreateClient();
        stolen.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stolen.GetAsync("/api/residents/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stolen.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task A_sign_out_through_another_API_process_stops_the_tokens_here_at_the_next_read_of_the_revocation_list()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync();
        Assert.Equal(HttpStatusCode.OK, (await resident.Client.GetAsync("/api/residents/me")).StatusCode);
        var revocations = factory.Services.GetRequiredService<ResidentTokenRevocations>();
        var phoneKey = factory.Services.GetRequiredService<PseudonymousKeys>().ForPhone(PhoneNumber.Parse(resident.Phone).Value);
        Assert.True(revocations.Accepts(phoneKey, 0));

        // Another process signs the phone out: the phone's grain and the store of record know, this process's list not yet.
        var generation = await factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IPhoneDirectoryGrain>(phoneKey).RevokeTokensAsync();
        Assert.Equal(1, generation);
        await revocations.RefreshAsync();

        Assert.False(revocations.Accepts(phoneKey, 0));
        Assert.Equal(HttpStatusCode.Unauthorized, (await resident.Client.GetAsync("/api/residents/me")).StatusCode);
        // A new sign-in gets a token of the new generation, which works.
        var again = await new ResidentFlow(factory).SignInAsync(resident.Phone);
        Assert.Equal(HttpStatusCode.OK, (await again.Client.GetAsync("/api/residents/me")).StatusCode);
    }

    [Fact]
    public async Task Concurrent_sign_ins_for_one_phone_get_answers_not_503()
    {
        var phone = ResidentFlow.NewPhone();
        var client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var admin = await factory.AdminClientAsync();
        var code = (await (await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone))).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("code").GetString()!;

        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ =>
            client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, code))));
        // The code is good for one sign-in: one succeeds, the rest are told it is used; none fails for the cluster.
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, a.StatusCode.ToString()));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/staff.html")]
    [InlineData("/js/http.js")]
    [InlineData("/api/regions")]
    [InlineData("/api/auth/me")]        // a 401 problem
    [InlineData("/api/no-such-thing")]  // a 404
    public async Task Every_response_carries_the_browser_defences(string path)
    {
        var response = await factory.CreateClient().GetAsync(path);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task The_api_reference_gets_its_own_policy_still_same_origin_only()
    {
        var response = await factory.CreateClient().GetAsync("/docs");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("http", csp);
    }
}
