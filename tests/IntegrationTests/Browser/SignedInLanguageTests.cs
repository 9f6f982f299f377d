namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>
/// Every page of <see cref="SitePages"/> in its role's signed-in state (a resident with a code and its history, each staff
/// console with its data) speaks Chinese only by default: no run of three English words anywhere on the page (issue 17,
/// "no English-only sentence in a Chinese page"). LanguageSwitchTests covers the pages as they first open.
/// </summary>
[Collection("browser")]
public sealed class SignedInLanguageTests(BrowserFixture fixture)
{
    [Theory]
    [MemberData(nameof(SitePages.Names), MemberType = typeof(SitePages))]
    public async Task A_signed_in_page_shows_no_english_sentence_in_chinese(string name)
    {
        var site = SitePages.Named(name);
        var (context, page, errors) = await fixture.OpenAsync(site, site.Viewports[0]);
        await using var _ = context;

        var english = await PageLanguage.EnglishRunsAsync(page);

        Assert.Empty(errors);
        Assert.True(english.Count == 0, $"{site.Name} ({site.Path}) shows English in zh-CN: {string.Join(" | ", english.Take(12))}");
    }
}
