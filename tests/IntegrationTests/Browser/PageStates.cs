using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>Who is signed in when a page of <see cref="SitePages"/> is opened.</summary>
public enum PageRole { Anonymous, Resident, Village, Hotline, Commander, Admin, Auditor, Checkpoint }

/// <summary>
/// Puts a fresh browser context into a role's real state without walking a sign-in form: the account is created and
/// signed in through the API, and the token is written where the pages keep it (the staff session of js/session.js in
/// sessionStorage, the dashboard's own in localStorage, the resident portal's in localStorage) by an init script that
/// runs before the page's own scripts. If a page moves its session, this is the one place to follow it.
/// </summary>
public static class PageStates
{
    private const string Password = "password-1234";

    /// <summary>The state of one role: the script that seeds the storage and what the role's account is (for pages that need it).</summary>
    public sealed record State(PageRole Role, string? InitScript, string? Jurisdiction, string? CheckpointId);

    public static async Task<State> SignInAsync(this BrowserFixture fixture, PageRole role)
    {
        switch (role)
        {
            case PageRole.Anonymous:
                return new State(role, null, null, null);
            case PageRole.Resident:
                return new State(role, await ResidentScriptAsync(fixture), null, null);
            case PageRole.Checkpoint:
                {
                    var village = await fixture.EmptyVillageAsync(fromEnd: true);
                    var id = BrowserFixtureHelpers.NewCheckpointId(village, "a");
                    var created = await fixture.Admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "东门检测点", village, null, null));
                    Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                    var username = $"cp-{Guid.NewGuid():N}"[..20];
                    (await fixture.Admin.PostAsJsonAsync("/api/admin/staff",
                        new CreateStaffRequest(username, Password, "测试 检测点", "checkpoint", village, id))).EnsureSuccessStatusCode();
                    return new State(role, await StaffScriptAsync(fixture, username), village, id);
                }
            default:
                {
                    var name = role.ToString().ToLowerInvariant();
                    var jurisdiction = role == PageRole.Village ? await fixture.EmptyVillageAsync(fromEnd: true) : "411200";
                    var staff = await fixture.NewStaffAsync(name, jurisdiction, Password);
                    return new State(role, await StaffScriptAsync(fixture, staff.Username), jurisdiction, null);
                }
        }
    }

    /// <summary>A new context of the given viewport (zh-CN, Beijing time, as <see cref="BrowserFixture.NewContextAsync"/>) in the state.</summary>
    public static async Task<IBrowserContext> NewContextAsync(this BrowserFixture fixture, State state, int width, int height)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Factory.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15_000);
        if (state.InitScript is not null) await context.AddInitScriptAsync(state.InitScript);
        return context;
    }

    private static async Task<string> StaffScriptAsync(BrowserFixture fixture, string username)
    {
        using var client = fixture.Factory.HttpClient();
        var response = await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, Password));
        response.EnsureSuccessStatusCode();
        var login = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        var info = JsonSerializer.Serialize(new { username, role = login.Role, jurisdiction = login.Jurisdiction, expiresAt = login.ExpiresAt });
        var user = JsonSerializer.Serialize(new { username, role = login.Role, jurisdiction = login.Jurisdiction });
        return Seed(("sessionStorage", "smx.staff.token", login.Token), ("sessionStorage", "smx.staff.session", info),
            ("localStorage", "smx.staff.token", login.Token), ("localStorage", "smx.staff.user", user));
    }

    // A green resident (registered, applied) signed in again, so the token names the resident.
    private static async Task<string> ResidentScriptAsync(BrowserFixture fixture)
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: false);
        var phone = fixture.NewPhone();
        using var client = fixture.Factory.HttpClient();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, await fixture.ReadCodeAsync(phone)));
        login.EnsureSuccessStatusCode();
        var first = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        client.DefaultRequestHeaders.Authorization = new("Bearer", first.Token);
        var created = await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("王晓明", ResidentFlow.NewIdNumber(), village, phone));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<RegisterResidentResponse>())!;
        client.DefaultRequestHeaders.Authorization = new("Bearer", body.Token);
        (await client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(36.5m, true))).EnsureSuccessStatusCode();
        return Seed(("localStorage", "smx.resident.token", body.Token), ("localStorage", "smx.resident.key", body.Profile.ResidentKey));
    }

    private static string Seed(params (string Store, string Key, string Value)[] items) =>
        "(() => { try {" + string.Concat(items.Select(i =>
            $" if (!window.{i.Store}.getItem({JsonSerializer.Serialize(i.Key)})) window.{i.Store}.setItem({JsonSerializer.Serialize(i.Key)}, {JsonSerializer.Serialize(i.Value)});"))
        + " } catch { } })();";
}
