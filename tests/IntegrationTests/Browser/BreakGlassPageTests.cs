using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// The staff console's break-the-glass screen (staff.html#/break-glass, js/break-glass.js) in headless Chromium: a village
/// staff member of village A types the ID number of a resident of village B; without a reason the page shows the refusal
/// next to the reason field and no record; with one it shows the resident's (masked) record, the grant's expiry and the
/// warning that the access is recorded; a resident of their own village is refused as not needed (422) beside the ID
/// number. The ID number travels in request bodies only.
/// </summary>
[Collection("browser")]
public sealed partial class BreakGlassPageTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "password-1234";

    static BreakGlassPageTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task A_village_staff_member_is_refused_without_a_reason_and_sees_the_record_and_expiry_with_one()
    {
        var villageA = await fixture.EmptyVillageAsync(fromEnd: true);
        var villageB = await fixture.EmptyVillageAsync(fromEnd: true, except: villageA);
        var (idNumber, residentClient) = await fixture.NewGreenResidentAsync(villageB, "破窗测");
        residentClient.Dispose();
        var staff = await fixture.NewStaffAsync("village", villageA, Password);

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);
        await page.GotoAsync("/staff.html");
        await page.GetByTestId("staff-username").FillAsync(staff.Username);
        await page.GetByTestId("staff-password").FillAsync(staff.Password);
        await page.GetByTestId("staff-sign-in").ClickAsync();
        // A village staff member lands in their village; the consoles list offers break-the-glass.
        await Expect(page.GetByTestId("view-village")).ToBeVisibleAsync();
        await page.GetByTestId("back-home").ClickAsync();
        await page.GetByTestId("console-glass").ClickAsync();
        await Expect(page.GetByTestId("view-break-glass")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("glass-warning")).ToContainTextAsync("记录");

        // Without a reason: 400, the reason named next to its field, no record.
        await page.GetByTestId("glass-id-number").FillAsync(idNumber);
        await page.GetByTestId("glass-submit").ClickAsync();
        await Expect(page.GetByTestId("error")).ToHaveAttributeAsync("data-status", "400");
        await Expect(page.GetByTestId("glass-reason-error")).ToContainTextAsync("至少 10 个字符");
        await Expect(page.GetByTestId("glass-reason")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByTestId("glass-result")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("break-glass-01-refused"), FullPage = true });

        // With a reason: the record (masked) and the grant's expiry.
        await page.GetByTestId("glass-reason").FillAsync("急救：患者昏迷，核查流行病学史");
        await page.GetByTestId("glass-submit").ClickAsync();
        await Expect(page.GetByTestId("glass-result")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("glass-village")).ToHaveTextAsync(villageB);
        await Expect(page.GetByTestId("glass-name")).ToContainTextAsync("*");
        await Expect(page.GetByTestId("glass-name")).Not.ToHaveTextAsync("破窗测");
        var maskedId = await page.GetByTestId("glass-id").TextContentAsync();
        Assert.Contains("*", maskedId);
        Assert.DoesNotContain(idNumber, maskedId);
        Assert.StartsWith(idNumber[..4], maskedId);
        await Expect(page.GetByTestId("glass-until")).ToHaveTextAsync(DateTimeText());
        var until = DateTimeOffset.Parse((await page.GetByTestId("glass-until").GetAttributeAsync("datetime"))!, System.Globalization.CultureInfo.InvariantCulture);
        var opened = DateTimeOffset.Parse((await fixture.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/time")).GetProperty("now").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(until - opened, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = fixture.ScreenshotPath("break-glass-02-granted"), FullPage = true });

        // A resident of the staff member's own village needs no grant: 422, said beside the ID number.
        var (ownIdNumber, ownClient) = await fixture.NewGreenResidentAsync(villageA, "本村测");
        ownClient.Dispose();
        await page.GetByTestId("glass-id-number").FillAsync(ownIdNumber);
        await page.GetByTestId("glass-reason").FillAsync("急救：患者昏迷，核查流行病学史");
        await page.GetByTestId("glass-submit").ClickAsync();
        await Expect(page.GetByTestId("error")).ToHaveAttributeAsync("data-status", "422");
        await Expect(page.GetByTestId("glass-id-error")).ToContainTextAsync("在您的管辖范围内");
        await Expect(page.GetByTestId("glass-result")).ToBeHiddenAsync();

        // The ID number went in request bodies only.
        Assert.DoesNotContain(requested, url => url.Contains(idNumber, StringComparison.OrdinalIgnoreCase) || url.Contains(ownIdNumber, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(idNumber, page.Url);
    }

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}$")]
    private static partial Regex DateTimeText();
}
