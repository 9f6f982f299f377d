using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Staff;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// A grain changes its state in memory, then writes it. When the write fails the caller is told (503 + Retry-After),
/// and nothing of the change may remain: the next request must see what is stored, not the change that was not.
/// </summary>
[Collection("api")]
public sealed class FailedWriteTests(ApiFactory factory)
{
    [Fact]
    public async Task A_staff_account_whose_write_failed_is_not_taken_and_can_be_created_again()
    {
        var admin = await factory.AdminClientAsync();
        var username = $"wfail-{Guid.NewGuid():N}"[..18];
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        factory.StorageFaults.FailNextWrite(grains.GetGrain<IStaffAccountGrain>(username).GetGrainId());
        var request = new CreateStaffRequest(username, "password-1234", "Write failure", "village", "411202001001", null);

        var failed = await admin.PostAsJsonAsync("/api/admin/staff", request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.NotNull(failed.Headers.RetryAfter);
        var login = await factory.CreateClient().PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, "password-1234"));
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode); // no account was stored, so none signs in

        // The retry the 503 asked for: the account is created, not refused as taken by a change that was never stored.
        var again = await admin.PostAsJsonAsync("/api/admin/staff", request);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        await factory.StaffClientAsync(username, "password-1234");
    }
}
