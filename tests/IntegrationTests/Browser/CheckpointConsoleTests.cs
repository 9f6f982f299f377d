using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The checkpoint console (platform 5) in headless Chromium: checkpoint staff sign in on the staff entry, follow the
/// console link (the session carries over), type a resident's ID number and see the big colour result; the counters
/// rise; an exit shows the dwell time; a bad ID number is a "check by ID" decision and nothing is counted.
/// </summary>
[Collection("browser")]
public sealed class CheckpointConsoleTests(BrowserFixture fixture, ITestOutputHelper output)
{
    static CheckpointConsoleTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task Checkpoint_staff_type_an_ID_number_and_see_the_colour_decision_and_counters()
    {
        var village = await LastVillageAsync();
        var id = BrowserFixtureHelpers.NewCheckpointId(village);
        var created = await fixture.Admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "东门检测点", village, null, null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var username = $"cp-{Guid.NewGuid():N}"[..20];
        (await fixture.Admin.PostAsJsonAsync("/api/admin/staff",
            new CreateStaffRequest(username, "checkpoint-pass-1234", "测试 检测点", "checkpoint", village, id))).EnsureSuccessStatusCode();
        var idNumber = await NewGreenResidentAsync(village, "孙悟空");

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => Log($"page error: {error}");
        page.Console += (_, m) => { if (m.Type is "error") Log($"console: {m.Text}"); };

        // Sign in on the staff entry; the checkpoint console is offered and keeps the session.
        await page.GotoAsync("/staff.html");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await page.GetByTestId("staff-username").FillAsync(username);
        await page.GetByTestId("staff-password").FillAsync("checkpoint-pass-1234");
        await page.GetByTestId("staff-sign-in").ClickAsync();
        await Expect(page.GetByTestId("console-checkpoint")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("console-village")).ToBeHiddenAsync();
        await page.GetByTestId("console-checkpoint").ClickAsync();

        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.GetByTestId("view-scan")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("view-signin")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("cp-name")).ToHaveAttributeAsync("data-id", id);
        await Expect(page.GetByTestId("count-entries")).ToHaveAttributeAsync("data-value", "0");

        await page.GetByTestId("id-number").FillAsync(idNumber);
        await page.GetByTestId("id-submit").ClickAsync();
        var result = page.GetByTestId("result");
        await Expect(result).ToBeVisibleAsync();
        await Expect(result).ToHaveAttributeAsync("data-colour", "Green");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "Allowed");
        await Expect(page.GetByTestId("result-decision")).ToContainTextAsync("通行");
        await Expect(page.GetByTestId("result-name")).ToHaveTextAsync("孙*空");
        await Expect(page.GetByTestId("result-reason")).ToHaveAttributeAsync("data-code", "green.allowed");
        await Expect(page.GetByTestId("count-entries")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByTestId("count-passes")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByTestId("id-number")).ToHaveValueAsync("");
        await Shot(page, "checkpoint-01-green-entry");

        // Exit: the dwell time is shown and the exit counted.
        fixture.Factory.Clock.Advance(TimeSpan.FromMinutes(20));
        await page.GetByTestId("direction-out").ClickAsync();
        await Expect(page.GetByTestId("direction")).ToHaveAttributeAsync("data-value", "Out");
        await page.GetByTestId("id-number").FillAsync(idNumber);
        await page.GetByTestId("id-submit").ClickAsync();
        await Expect(page.GetByTestId("count-exits")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByTestId("result-dwell")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("result-dwell")).ToContainTextAsync("20min");
        await Shot(page, "checkpoint-02-exit-dwell");

        // A mistyped ID number is a decision (check by the ID card), not an error, and counts nothing (issue 17).
        await page.GetByTestId("id-number").FillAsync(idNumber[..17] + (idNumber[17] == '0' ? '1' : '0'));
        await page.GetByTestId("id-submit").ClickAsync();
        await Expect(page.GetByTestId("result")).ToHaveAttributeAsync("data-outcome", "IdCheck");
        await Expect(page.GetByTestId("result")).ToHaveAttributeAsync("data-refusal", "idNumber");
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("count-passes")).ToHaveAttributeAsync("data-value", "2");
        await Shot(page, "checkpoint-03-bad-id");
    }

    private async Task<string> LastVillageAsync()
    {
        using var anonymous = fixture.Factory.HttpClient();
        var counties = await anonymous.GetFromJsonAsync<List<RegionDto>>("/api/regions?parent=411200");
        var townships = await anonymous.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={counties![^1].Code}");
        var villages = await anonymous.GetFromJsonAsync<List<RegionDto>>($"/api/regions?parent={townships![^1].Code}");
        return villages![^1].Code;
    }

    /// <summary>A resident registered and applied through the API as the portal does; returns the ID number.</summary>
    private async Task<string> NewGreenResidentAsync(string village, string name)
    {
        using var client = fixture.Factory.HttpClient();
        var phone = fixture.NewPhone();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, await fixture.ReadCodeAsync(phone)));
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        var idNumber = ResidentFlow.NewIdNumber();
        var registered = await client.PostAsJsonAsync("/api/residents/me", new RegisterResidentRequest(name, idNumber, village, phone));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        (await client.PostAsJsonAsync("/api/residents/me/apply", new ApplyRequest(36.5m, true))).EnsureSuccessStatusCode();
        return idNumber;
    }

    private async Task Shot(IPage page, string name)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath(name), FullPage = true });
        Log($"screenshot {fixture.ScreenshotPath(name)}");
    }

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* after the test ended */ }
    }
}
