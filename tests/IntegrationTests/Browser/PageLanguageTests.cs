namespace Sanmenxia.IntegrationTests.Browser;

/// <summary>The language checks the browser tests use, on texts of their own (no browser).</summary>
public sealed class PageLanguageTests
{
    [Theory]
    [InlineData("请检查填写内容 Please check the form", "Please check the form")]
    [InlineData("登录 · Sign in with your phone", "Sign in with your phone")]
    [InlineData("You're signed-in as admin", "You're signed-in as admin")]
    public void A_run_of_three_english_words_is_found(string text, string run) =>
        Assert.Contains(run, PageLanguage.EnglishRuns(text));

    [Theory]
    [InlineData("线上三门峡 Online Sanmenxia")]
    [InlineData("体温 36.5 °C，12 ms，QR ID CSV")]
    [InlineData("Sign in")]
    [InlineData("湖滨区 Hubin Qu, 3 人")]
    [InlineData("Orleans SignalR ECharts")]
    public void Names_units_codes_and_two_word_runs_are_allowed(string text) =>
        Assert.Empty(PageLanguage.EnglishRuns(text));
}
