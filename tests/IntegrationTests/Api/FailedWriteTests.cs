using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Residents;
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
        await factory.SeedRegionsAsync();
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

    [Fact]
    public async Task A_trip_whose_trip_grain_call_failed_is_not_kept_as_saved()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync();
        var date = DateOnly.FromDateTime(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).Date).AddDays(-1);
        var train = "G" + Random.Shared.Next(1000, 9999);

        factory.CallFaults.FailNext("ITripGrain.AddTravellerAsync");
        var failed = await resident.Client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, 3, 12, null));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var trips = await resident.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/trips");
        Assert.Equal(0, trips.GetProperty("trips").GetArrayLength()); // nothing the trip grain never heard of

        var saved = await resident.Client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, 3, 12, null));
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        trips = await resident.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/trips");
        Assert.Equal(1, trips.GetProperty("trips").GetArrayLength());
    }

    [Fact]
    public async Task A_case_whose_delivery_failed_reaches_the_traveller_when_it_is_published_again()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync();
        var commander = await factory.NewStaffAsync("commander", "411200");
        var date = DateOnly.FromDateTime(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).Date).AddDays(-1);
        var train = "D" + Random.Shared.Next(1000, 9999);
        (await resident.Client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, 2, 5, null))).EnsureSuccessStatusCode();
        var publish = new PublishCaseRequest("Train", train, date, 2, 6, null, "武汉", "三门峡南", "三门峡市卫健委通报");

        // The publication is stored; telling the traveller fails (it stays pending, retried by a reminder each minute).
        factory.CallFaults.FailNext("ITripTraveller.CaseOnTripAsync"); // declared there; IResidentGrain inherits it
        Assert.Equal(HttpStatusCode.Created, (await commander.PostAsJsonAsync("/api/trips/cases", publish)).StatusCode);
        var trips = await resident.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/trips");
        Assert.Equal(0, trips.GetProperty("matches").GetArrayLength());

        // A publisher who publishes the same case again also gets what is pending delivered, without waiting for the
        // retry reminder (delivery is one-way, so the traveller has it just after the answer: polled with a deadline).
        Assert.True((await commander.PostAsJsonAsync("/api/trips/cases", publish)).IsSuccessStatusCode);
        trips = await resident.TripsWhenAsync(t => t.GetProperty("matches").GetArrayLength() > 0);
        Assert.Equal(1, trips.GetProperty("matches").GetArrayLength());
    }

    [Fact]
    public async Task A_case_the_traveller_failed_to_store_is_not_confirmed_and_is_delivered_again()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync();
        var commander = await factory.NewStaffAsync("commander", "411200");
        var date = DateOnly.FromDateTime(factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).Date).AddDays(-1);
        var train = "C" + Random.Shared.Next(1000, 9999);
        (await resident.Client.PostAsJsonAsync("/api/residents/me/trips", new TripRequest("Train", train, date, 4, 2, null))).EnsureSuccessStatusCode();
        var publish = new PublishCaseRequest("Train", train, date, 4, 3, null, "武汉", "三门峡南", "三门峡市卫健委通报");

        // The case reaches the traveller (one-way), whose write of the match fails: the match is forgotten, and the
        // traveller does not confirm it, so it stays pending at the trip grain.
        var residentGrain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IResidentGrain>(resident.ResidentKey).GetGrainId();
        factory.StorageFaults.FailNextWrite(residentGrain);
        Assert.Equal(HttpStatusCode.Created, (await commander.PostAsJsonAsync("/api/trips/cases", publish)).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (factory.StorageFaults.WillFail(residentGrain) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(factory.StorageFaults.WillFail(residentGrain));
        var trips = await resident.Client.GetFromJsonAsync<JsonElement>("/api/residents/me/trips");
        Assert.Equal(0, trips.GetProperty("matches").GetArrayLength());

        // Still pending, so a republication (as the retry reminder would) delivers it again, and this time it is stored.
        Assert.True((await commander.PostAsJsonAsync("/api/trips/cases", publish)).IsSuccessStatusCode);
        trips = await resident.TripsWhenAsync(t => t.GetProperty("matches").GetArrayLength() > 0);
        Assert.Equal(1, trips.GetProperty("matches").GetArrayLength());
    }
}
