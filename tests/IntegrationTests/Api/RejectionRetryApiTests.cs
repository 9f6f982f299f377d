using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Problems;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// The real endpoints with one grain call rejected (GrainCallFaults): those safe to run again are, the others answer
/// 503 without repeating what they already did. docs/operations.md keeps the same lists, with the reasons.
/// </summary>
[Collection("api")]
public sealed class RejectionRetryApiTests(ApiFactory factory)
{
    /// <summary>Mutating endpoints that ProblemSetup runs again after a rejected grain call.</summary>
    private static readonly string[] Retried =
    [
        "POST /api/admin/staff/{username}/disable",
        "POST /api/admin/staff/{username}/enable",
        // A second run sets the same password again (and starts one more session generation): the same outcome.
        "POST /api/admin/staff/{username}/password",
        "POST /api/admin/dev/outbox",
        "POST /api/auth/staff/login",
        "POST /api/auth/resident/code",
        "POST /api/auth/resident/login",
        "POST /api/auth/logout",
        "POST /api/admin/regions/generate",
        "POST /api/admin/regions/import",
        "POST /api/residents/me/",
        "POST /api/households/mine/members",
        "POST /api/residents/me/apply",
        "POST /api/residents/me/clock-in",
        "PUT /api/residents/me/self-report",
        "POST /api/residents/me/needs",
        "POST /api/households/mine/members/{memberKey}/apply",
        "POST /api/households/mine/members/{memberKey}/clock-in",
        "POST /api/villages/{code}/residents/{residentKey}/needs/{needId}/handled",
        "POST /api/villages/{code}/residents/{residentKey}/clear-fever",
        "POST /api/codes/verify",
        "POST /api/villages/{code}/residents/{residentKey}/key-person/",
        "POST /api/villages/{code}/residents/{residentKey}/key-person/{entryId}/follow-up",
        "POST /api/villages/{code}/residents/{residentKey}/key-person/{entryId}/measure",
        "POST /api/villages/{code}/residents/{residentKey}/key-person/{entryId}/confirm",
        "POST /api/villages/{code}/residents/{residentKey}/key-person/{entryId}/dismiss",
        "POST /api/villages/{code}/residents/{residentKey}/key-person/{entryId}/release",
        "POST /api/villages/{code}/residents/{residentKey}/key-person/{entryId}/daily-check",
        "POST /api/villages/{code}/residents/search",
        "POST /api/admin/checkpoints/{id}/staff",
        "POST /api/checkpoints/{id}/passes",
        "POST /api/trips/cases",
        "POST /api/trips/cases/import",
        "POST /api/residents/me/trips/",
        // A ticket transition whose grain call was rejected did not happen: the second run reads, audits (once per
        // request) and applies it; one that did happen is refused as illegal by the workflow, never applied twice.
        "POST /api/tickets/{number}/accept",
        "POST /api/tickets/{number}/reject",
        "POST /api/tickets/{number}/dispatch",
        "POST /api/tickets/{number}/handle",
        "POST /api/tickets/{number}/feedback",
        "POST /api/tickets/{number}/close",
        // Reads of the trail (the audit entry is written again on the second run, as for any read).
        "POST /api/audit/search",
        "POST /api/audit/export",
        // Each pass is recorded once by its client id: a second upload answers "already recorded".
        "POST /api/checkpoints/{id}/passes/batch",
        // A second run deletes only what is still due; erasing an erased resident finds nothing to erase.
        "POST /api/admin/retention/run",
        "POST /api/admin/residents/erase",
        // One grain call: a rejected one recorded nothing.
        "POST /api/villages/{code}/deletion-requests/",
        // No grain call after the change (a row in village_contacts); a second run sets the same number again.
        "PUT /api/villages/{code}/contact/",
    ];

    /// <summary>Mutating endpoints marked WithoutRejectionRetry.</summary>
    private static readonly string[] NotRetried =
    [
        "POST /api/admin/staff",
        "POST /api/admin/residents/import",
        "POST /api/admin/key-persons/import",
        "POST /api/admin/checkpoints/",
        "POST /api/admin/checkpoints/import",
        "POST /api/admin/checkpoints/generate",
        "POST /api/trips/{tripKey}/cases/{caseId}/withdraw",
        "POST /api/tickets/leads",
        "POST /api/tickets/",
        // A re-run of an appeal would answer 409 (the first is open) instead of 201; a one-step key-person registration
        // would add a second entry.
        "POST /api/residents/me/appeals/",
        "POST /api/households/mine/members/{memberKey}/appeals/",
        "POST /api/tickets/{number}/key-person",
        "POST /api/villages/{code}/claims/{residentKey}/confirm",
        "POST /api/villages/{code}/claims/{residentKey}/reverse",
        // A grant would be opened (and audited) twice; a village's erasure and a deletion decision would report the first
        // run's work as "nothing to do" / "already decided".
        "POST /api/break-glass",
        "POST /api/admin/villages/{code}/erase-residents",
        "POST /api/admin/deletion-requests/{villageCode}/{id}/decision",
    ];

    [Fact]
    public void Every_mutating_api_endpoint_has_a_reviewed_rejection_retry_decision()
    {
        var mutating = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE")
                .Select(m => (Name: $"{m} {e.RoutePattern.RawText}", Retried: e.AllowsRejectionRetry())))
            .ToList();

        // A new endpoint fails here until someone decides (and documents) whether running it twice is harmless.
        Assert.Equal(Retried.Order(), mutating.Where(e => e.Retried).Select(e => e.Name).Order());
        Assert.Equal(NotRetried.Order(), mutating.Where(e => !e.Retried).Select(e => e.Name).Order());
    }

    private static HttpRequestMessage Post(string path, object body, string trace, string rejectOnce) => new(HttpMethod.Post, path)
    {
        Content = JsonContent.Create(body),
        Headers = { { GrainCallFaults.TraceHeader, trace }, { GrainCallFaults.RejectOnceHeader, rejectOnce } },
    };

    [Fact]
    public async Task Staff_creation_rejected_after_the_account_was_stored_answers_503_and_is_not_run_again()
    {
        await factory.SeedRegionsAsync();
        var admin = await factory.AdminClientAsync();
        var username = $"retry-{Guid.NewGuid():N}"[..20];
        var trace = Guid.NewGuid().ToString("N");

        // CreateAsync stores the account; the read after it is rejected. A second run would answer 409 "taken".
        var response = await admin.SendAsync(Post("/api/admin/staff",
            new CreateStaffRequest(username, "password-1234", "Retry test", "village", "411202001001", null), trace, "IStaffAccountGrain.GetAsync"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        // The first call checks that the admin's account is still active (ActiveStaffCheck).
        Assert.Equal(["IStaffAccountGrain.IsSessionActiveAsync", "IStaffAccountGrain.CreateAsync", "IStaffAccountGrain.GetAsync"], factory.Faults.Calls(trace));
        // The account the one run created is there.
        await factory.StaffClientAsync(username, "password-1234");
    }

    [Fact]
    public async Task Registration_rejected_after_the_resident_was_stored_runs_again_and_the_person_is_registered()
    {
        var person = await new ResidentFlow(factory).SignInAsync();
        var village = (await factory.VillagesAsync())[3].Code;
        var trace = Guid.NewGuid().ToString("N");

        // The resident, household and phone link are stored; the read that ends the request is rejected. The second run
        // finds the same ID number and phone registered and answers as the first would have.
        var response = await person.Client.SendAsync(Post("/api/residents/me",
            new RegisterResidentRequest("重试", ResidentFlow.NewIdNumber(), village, person.Phone), trace, "IResidentGrain.GetProfileAsync"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        // Each run asks the registration grain (the second finds the same ID number and phone and finishes), then reads the
        // profile. Whether the token was signed out is the API's revocation list's answer, not a grain call.
        Assert.Equal(["IRegistrationGrain.RegisterAsync", "IResidentGrain.GetProfileAsync",
            "IRegistrationGrain.RegisterAsync", "IResidentGrain.GetProfileAsync"], factory.Faults.Calls(trace));
        var again = await new ResidentFlow(factory).SignInAsync(person.Phone);
        Assert.Equal(HttpStatusCode.OK, (await again.Client.GetAsync("/api/residents/me")).StatusCode);
    }

    [Fact]
    public async Task Resident_sign_in_whose_directory_read_is_rejected_runs_again_and_uses_the_code_once()
    {
        var phone = ResidentFlow.NewPhone();
        var client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var outbox = await (await factory.AdminClientAsync()).PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone));
        var code = (await outbox.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
        var trace = Guid.NewGuid().ToString("N");

        var response = await client.SendAsync(Post("/api/auth/resident/login", new ResidentLoginRequest(phone, code), trace,
            "IPhoneDirectoryGrain.GetResidentsAsync"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("resident", (await response.Content.ReadFromJsonAsync<TokenResponse>())!.Role);
        // The first run stopped before the code was used; the second used it (once the code is used, a run answers 401).
        Assert.Equal(["IPhoneDirectoryGrain.GetResidentsAsync", "IPhoneDirectoryGrain.GetResidentsAsync", "IPhoneDirectoryGrain.GetTokenGenerationAsync",
            "IOneTimeCodeGrain.VerifyAsync"], factory.Faults.Calls(trace));
    }

    [Fact]
    public async Task A_resident_read_rejected_after_its_audit_entry_runs_again_and_is_audited_once()
    {
        var village = (await factory.VillagesAsync())[7].Code;
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync(village);
        var staff = await factory.NewStaffAsync("village", village);
        var trace = Guid.NewGuid().ToString("N");

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/villages/{village}/residents/{resident.ResidentKey}")
        {
            Headers = { { GrainCallFaults.TraceHeader, trace }, { GrainCallFaults.RejectOnceHeader, "IResidentGrain.GetOverviewAsync" } },
        };
        var response = await staff.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, factory.Faults.Calls(trace).Count(c => c == "IResidentGrain.GetOverviewAsync"));
        var audit = await (await factory.AdminClientAsync()).GetFromJsonAsync<JsonElement>($"/api/admin/audit?subject={resident.ResidentKey}");
        Assert.Single(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "resident.read");
    }
}
