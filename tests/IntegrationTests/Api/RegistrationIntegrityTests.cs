using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// An ID number is not a secret (it is printed on many documents); a phone proven by a one-time code is. Registering
/// someone else's ID number with one's own phone must be refused and must leave nothing behind: no link from that
/// phone to the resident (which would sign its owner in as them) and no household holding them. The same person
/// asking again, though, finishes a registration that a failure left half-done.
/// </summary>
[Collection("api")]
public sealed class RegistrationIntegrityTests(ApiFactory factory)
{
    [Fact]
    public async Task Registering_someone_elses_ID_number_with_another_phone_is_refused_and_links_nothing()
    {
        var owner = await new ResidentFlow(factory).SignInAsync();
        await owner.RegisterAsync();

        var stranger = await new ResidentFlow(factory).SignInAsync();
        var attempt = await stranger.Client.PostAsJsonAsync("/api/residents/me",
            new RegisterResidentRequest("冒名者", owner.IdNumber, owner.VillageCode, stranger.Phone));
        Assert.Equal(HttpStatusCode.Conflict, attempt.StatusCode);

        // Signing in again with the stranger's phone must not reach the owner's record.
        var again = await new ResidentFlow(factory).SignInAsync(stranger.Phone);
        var overview = await again.Client.GetAsync("/api/residents/me");
        Assert.NotEqual(HttpStatusCode.OK, overview.StatusCode);

        // The owner's household is still the one they registered in, with them alone.
        var household = await owner.Client.GetFromJsonAsync<JsonElement>("/api/households/mine");
        Assert.Equal(1, household.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task The_same_person_registering_again_finishes_a_registration_left_half_done()
    {
        var person = await new ResidentFlow(factory).SignInAsync();
        var idNumber = ResidentFlow.NewIdNumber();
        var village = (await factory.VillagesAsync())[0].Code;
        // As if the first attempt stopped after the resident's write: no household entry, no phone link.
        var keys = new PseudonymousKeys(ApiFactory.KeySecret);
        var residentKey = keys.ForIdNumber(idNumber);
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(RegistrationOutcome.Created, await grains.GetGrain<IResidentGrain>(residentKey).RegisterAsync(
            new ResidentRegistration(idNumber, "半途", person.Phone, village, "h-half-" + Guid.NewGuid().ToString("N")[..8], Actor.Self(residentKey))));
        Assert.NotEqual(HttpStatusCode.OK, (await person.Client.GetAsync("/api/residents/me")).StatusCode); // signed in, but no resident linked

        var again = await person.Client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("半途", idNumber, village, person.Phone));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);

        // The phone now signs in as that resident, who is in the household the first attempt chose.
        var later = await new ResidentFlow(factory).SignInAsync(person.Phone);
        var overview = await later.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Equal(residentKey, overview.GetProperty("profile").GetProperty("residentKey").GetString());
        var household = await later.Client.GetFromJsonAsync<JsonElement>("/api/households/mine");
        Assert.Equal(residentKey, household.GetProperty("members")[0].GetProperty("residentKey").GetString());
    }

    [Fact]
    public async Task A_phone_a_household_head_typed_for_a_member_signs_in_as_them_only_after_its_owner_registers()
    {
        var head = await new ResidentFlow(factory).SignInAsync();
        await head.RegisterAsync();
        var memberId = ResidentFlow.NewIdNumber();
        var memberPhone = ResidentFlow.NewPhone();
        var added = await head.Client.PostAsJsonAsync("/api/households/mine/members", new AddMemberRequest("李阿姨", memberId, memberPhone));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var memberKey = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("residentKey").GetString();

        // Whoever holds that phone (the member, or a stranger after a typo) is not signed in as the member by it.
        var holder = await new ResidentFlow(factory).SignInAsync(memberPhone);
        Assert.NotEqual(HttpStatusCode.OK, (await holder.Client.GetAsync("/api/residents/me")).StatusCode);

        // The member proves the phone (signed in with it) and knows their ID number: registering finishes the link.
        var registered = await holder.Client.PostAsJsonAsync("/api/residents/me",
            new RegisterResidentRequest("李阿姨", memberId, head.VillageCode, memberPhone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var member = await new ResidentFlow(factory).SignInAsync(memberPhone);
        var overview = await member.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Equal(memberKey, overview.GetProperty("profile").GetProperty("residentKey").GetString());
        // Still in the head's household, and the head is still its head.
        var household = await head.Client.GetFromJsonAsync<JsonElement>("/api/households/mine");
        Assert.Equal(2, household.GetProperty("members").GetArrayLength());
        Assert.Equal(head.ResidentKey, household.GetProperty("headResidentKey").GetString());
    }
}
