using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;

namespace Sanmenxia.IntegrationTests.Api;

[Collection("api")]
public sealed class FoundationApiTests(ApiFactory factory)
{
    [Fact]
    public async Task Liveness_and_readiness_answer_200_when_the_cluster_is_up()
    {
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Anonymous_call_to_a_protected_endpoint_is_401_problem_details()
    {
        var response = await factory.CreateClient().GetAsync("/api/admin/staff");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertProblem(response, 401);
    }

    [Fact]
    public async Task Wrong_role_is_403_problem_details()
    {
        var village = await factory.NewStaffAsync("village", "411202001001");
        var response = await village.GetAsync("/api/admin/staff");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertProblem(response, 403);
    }

    [Fact]
    public async Task A_forged_token_is_refused()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.c2lnbmF0dXJlLWZvcmdlZA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/admin/staff")).StatusCode);
    }

    [Fact]
    public async Task Admin_creates_staff_who_can_sign_in_and_duplicates_are_refused()
    {
        await factory.SeedRegionsAsync();
        var admin = await factory.AdminClientAsync();
        var request = new CreateStaffRequest("hubin.cmd", "password-1234", "湖滨区指挥", "commander", "411202", null);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/admin/staff", request)).StatusCode);
        var again = await admin.PostAsJsonAsync("/api/admin/staff", request);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await AssertProblem(again, 409);

        var commander = await factory.StaffClientAsync("hubin.cmd", "password-1234");
        var me = await commander.GetFromJsonAsync<JsonElement>("/api/auth/me");
        Assert.Equal("commander", me.GetProperty("role").GetString());
        Assert.Equal("411202", me.GetProperty("jurisdiction").GetString());

        var wrong = await factory.CreateClient().PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest("hubin.cmd", "not-the-password"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Invalid_staff_fields_are_reported_by_name()
    {
        var admin = await factory.AdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest("bad name!", "short", "", "emperor", "999999", null));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await AssertProblem(response, 400);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "username", "password", "displayName", "role", "jurisdiction" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
    }

    [Fact]
    public async Task Malformed_json_is_400_problem_details_not_500()
    {
        var admin = await factory.AdminClientAsync();
        var response = await admin.PostAsync("/api/admin/staff", new StringContent("{\"username\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblem(response, 400);
    }

    [Fact]
    public async Task Oversized_body_is_413_problem_details()
    {
        var client = factory.CreateClient();
        var huge = "{\"username\":\"" + new string('a', 400_000) + "\",\"password\":\"x\"}";
        var response = await client.PostAsync("/api/auth/staff/login", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertProblem(response, 413);
    }

    [Fact]
    public async Task Resident_signs_in_with_phone_and_one_time_code()
    {
        var client = factory.CreateClient();
        var sent = await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest("13800138000"));
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var tooSoon = await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest("13800138000"));
        Assert.Equal(HttpStatusCode.TooManyRequests, tooSoon.StatusCode);
        Assert.True(tooSoon.Headers.Contains("Retry-After"));

        var admin = await factory.AdminClientAsync();
        var outbox = await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest("13800138000"));
        var code = (await outbox.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;

        var wrongCode = code == "000000" ? "111111" : "000000";
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest("13800138000", wrongCode))).StatusCode);
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest("13800138000", code));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal("resident", token.Role);
        // A used code cannot be used twice.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest("13800138000", code))).StatusCode);
    }

    [Fact]
    public async Task Bad_phone_number_is_a_field_error()
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest("12345"));
        var problem = await AssertProblem(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("phone", out _));
    }

    [Fact]
    public void Every_endpoint_declares_a_policy_or_is_explicitly_anonymous()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        var undeclared = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null
                        && !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles))
                        && !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any()
                        && e.Metadata.GetMetadata<AuthorizationPolicy>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        Assert.True(undeclared.Count == 0, "Endpoints without a declared policy: " + string.Join(", ", undeclared));
    }

    [Fact]
    public async Task OpenApi_document_and_api_page_are_served()
    {
        var client = factory.CreateClient();
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(doc.GetProperty("paths").TryGetProperty("/api/auth/staff/login", out _));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/docs")).StatusCode);
    }

    internal static async Task<JsonElement> AssertProblem(HttpResponseMessage response, int status)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }
}
