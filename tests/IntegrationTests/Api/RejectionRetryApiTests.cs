using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// The real endpoints with one grain call rejected (GrainCallFaults): those safe to run again are, the others answer
/// 503 without repeating what they already did. docs/operations.md keeps the same lists, with the reasons.
/// </summary>
[Collection("api")]
public sealed class RejectionRetryApiTests(ApiFactory factory)
{
    private static HttpRequestMessage Post(string path, object body, string trace, string rejectOnce) => new(HttpMethod.Post, path)
    {
        Content = JsonContent.Create(body),
        Headers = { { GrainCallFaults.TraceHeader, trace }, { GrainCallFaults.RejectOnceHeader, rejectOnce } },
    };

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
        Assert.Equal(["IPhoneDirectoryGrain.GetResidentsAsync", "IPhoneDirectoryGrain.GetResidentsAsync", "IOneTimeCodeGrain.VerifyAsync"],
            factory.Faults.Calls(trace));
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
