using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>Sign-in limits and token revocation: what an attacker who guesses, or whose account was disabled, cannot do.</summary>
[Collection("api")]
public sealed class AuthHardeningTests(ApiFactory factory)
{
    [Fact]
    public async Task A_phone_whose_code_was_used_up_by_wrong_guesses_gets_no_new_code_at_once()
    {
        var client = factory.CreateClient();
        var phone = ResidentFlow.NewPhone();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).StatusCode);
        var admin = await factory.AdminClientAsync();
        var sent = await (await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone))).Content.ReadFromJsonAsync<JsonElement>();
        var wrong = sent.GetProperty("code").GetString() == "000000" ? "000001" : "000000";

        HttpResponseMessage last = null!;
        for (var i = 0; i < 6; i++) last = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, last.StatusCode);

        // A new code at once would give five more guesses per round trip, without end: 10^6 codes fall in minutes.
        var again = await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone));
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        Assert.True(again.Headers.RetryAfter?.Delta >= TimeSpan.FromMinutes(10), $"Retry-After {again.Headers.RetryAfter}");
    }

    [Fact]
    public async Task A_disabled_staff_accounts_token_stops_working()
    {
        await factory.SeedRegionsAsync();
        var admin = await factory.AdminClientAsync();
        var username = "off-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, "password-1234", "To be disabled", Roles.Commander, "411200", null))).EnsureSuccessStatusCode();
        var staff = await factory.StaffClientAsync(username, "password-1234");
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync("/api/regions/411200/counts")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/staff/{username}/disable", null)).StatusCode);

        // Disabling a leaked or departed account must end its access now, not when its 12-hour token runs out.
        Assert.Equal(HttpStatusCode.Unauthorized, (await staff.GetAsync("/api/regions/411200/counts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await staff.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_staff_account_for_a_while()
    {
        var admin = await factory.AdminClientAsync();
        var username = "guess-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, "password-1234", "Guessed at", Roles.VillageStaff, "411200", null))).EnsureSuccessStatusCode();
        var client = factory.CreateClient();
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, "wrong-password-" + i))).StatusCode);

        // Unlimited online guessing would otherwise find a weak password; the right one is refused too while locked.
        var right = await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, "password-1234"));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.NotNull(right.Headers.RetryAfter);
    }

    [Fact]
    public async Task Reading_a_phones_login_code_from_the_development_outbox_is_audited()
    {
        var phone = ResidentFlow.NewPhone();
        (await factory.CreateClient().PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var admin = await factory.AdminClientAsync();
        (await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone))).EnsureSuccessStatusCode();

        // The code signs in as the phone's resident: whoever read it could act as them, so the read must be traceable.
        var phoneKey = new PseudonymousKeys(ApiFactory.KeySecret).ForPhone(phone);
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/audit?subject={phoneKey}");
        var entry = Assert.Single(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "dev.outbox.read");
        Assert.DoesNotContain(phone, entry.GetRawText());
    }
}
