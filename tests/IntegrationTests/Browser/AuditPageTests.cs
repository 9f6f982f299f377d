using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Identity;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The audit reader (audit.html) in headless Chromium: staff member A reads resident R; an auditor signs in, types R's
/// ID number (sent in a POST body, never in the page's address) and sees A among those who looked at R; the
/// break-the-glass tab lists a grant another staff member opened for R from outside R's county.
/// </summary>
[Collection("browser")]
public sealed class AuditPageTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "password-1234";

    static AuditPageTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task An_auditor_types_a_residents_id_number_and_sees_who_read_them_and_the_break_the_glass_grants()
    {
        var village = await fixture.EmptyVillageAsync(fromEnd: true);
        var (idNumber, residentKey) = await RegisterResidentAsync(village);
        var reader = await fixture.NewStaffAsync("village", village, Password);
        using (var client = await StaffClientAsync(reader))
            (await client.GetAsync($"/api/villages/{village}/residents/{residentKey}")).EnsureSuccessStatusCode();
        // Someone from another county opens R by break-the-glass.
        var outsider = await fixture.NewStaffAsync("village", village.StartsWith("411202", StringComparison.Ordinal) ? "411203" : "411202", Password);
        using (var client = await StaffClientAsync(outsider))
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/break-glass",
                new BreakGlassRequest(idNumber, null, "急救：患者昏迷，核查流行病学史"))).StatusCode);

        var auditor = await fixture.NewStaffAsync("auditor", "411200", Password);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");
        var posted = new List<string>();
        page.Request += (_, request) => posted.Add(request.Url);
        await page.GotoAsync("/staff.html");
        await page.GetByTestId("staff-username").FillAsync(auditor.Username);
        await page.GetByTestId("staff-password").FillAsync(auditor.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        // The consoles offer the audit trail to an auditor, and nothing else.
        await Expect(page.GetByTestId("console-audit")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("console-village")).ToBeHiddenAsync();
        await page.GetByTestId("console-audit").ClickAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.GetByTestId("view-main")).ToBeVisibleAsync();

        await page.GetByTestId("filter-id").FillAsync(idNumber);
        await page.GetByTestId("audit-search").ClickAsync();
        await Expect(page.GetByTestId("who-looked")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("who-subject-key")).ToHaveTextAsync(residentKey);
        await Expect(page.Locator($"[data-testid='who-row'][data-actor='{reader.Username}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-testid='audit-row'][data-actor='{reader.Username}'][data-action='resident.read']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("audit-01-who-looked"), FullPage = true });

        await page.GetByTestId("tab-break-glass").ClickAsync();
        await Expect(page.Locator($"[data-testid='audit-row'][data-actor='{outsider.Username}'][data-action='break-glass.open']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid='audit-row'][data-action='resident.read']")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("audit-02-break-glass"), FullPage = true });

        // The ID number went in request bodies only.
        Assert.DoesNotContain(posted, url => url.Contains(idNumber, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(idNumber, page.Url);
    }

    private async Task<(string IdNumber, string ResidentKey)> RegisterResidentAsync(string village)
    {
        var phone = fixture.NewPhone();
        using var client = fixture.Factory.HttpClient();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, await fixture.ReadCodeAsync(phone)));
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        var idNumber = ResidentIdNumber.Create("411202", new DateOnly(1975, 5, 20), 100 + Random.Shared.Next(0, 800)).Value;
        var registered = await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest("审计测", idNumber, village, phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        return (idNumber, body.GetProperty("profile").GetProperty("residentKey").GetString()!);
    }

    private async Task<HttpClient> StaffClientAsync(BrowserStaff staff)
    {
        var client = fixture.Factory.HttpClient();
        var response = await client.PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(staff.Username, staff.Password));
        response.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await response.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        return client;
    }
}
