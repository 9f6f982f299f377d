using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Issue 17: a second clock-in the same day is never accepted silently. The code read carries today's clock-in (time and
/// temperature); a clock-in's answer says whether it only updated today's record and what it replaced; the day counts once.
/// A wrong one-time code is a problem with the code field, not "not signed in".
/// </summary>
[Collection("api")]
public sealed class ClockInTodayApiTests(ApiFactory factory)
{
    [Fact]
    public async Task A_second_clock_in_the_same_day_says_it_updated_todays_record_and_counts_once()
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();
        var before = await r.CodeAsync();
        Assert.Equal(JsonValueKind.Null, Today(before).ValueKind); // not applied: no clock-in today

        // The application is today's clock-in: the code read shows its time and temperature.
        var applied = await r.ApplyAsync(36.5m);
        Assert.Equal(36.5m, Today(applied).GetProperty("temperature").GetDecimal());
        var appliedAt = Today(applied).GetProperty("at").GetDateTimeOffset();
        Assert.Equal(factory.Clock.GetUtcNow(), appliedAt);

        factory.Clock.Advance(TimeSpan.FromMinutes(30));
        var second = await r.ClockInAsync(37.1m);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var answer = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.GetProperty("updatedToday").GetBoolean());
        Assert.Equal(36.5m, answer.GetProperty("replaced").GetProperty("temperature").GetDecimal());
        Assert.Equal(appliedAt, answer.GetProperty("replaced").GetProperty("at").GetDateTimeOffset());
        Assert.Equal(37.1m, Today(answer).GetProperty("temperature").GetDecimal());
        Assert.Equal(factory.Clock.GetUtcNow(), Today(answer).GetProperty("at").GetDateTimeOffset());
        // Still the code-read shape, and the day counted once: no colour change, no new history entry.
        Assert.Equal("Green", answer.GetProperty("explanation").GetProperty("colour").GetString());
        Assert.Equal(applied.GetProperty("history").GetArrayLength(), answer.GetProperty("history").GetArrayLength());

        // A read afterwards shows the update.
        Assert.Equal(37.1m, Today(await r.CodeAsync()).GetProperty("temperature").GetDecimal());

        // The next day: the first clock-in is not an update, and yesterday's reading is not "today's".
        var now = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        factory.Clock.SetUtcNow(new DateTimeOffset(now.Date.AddDays(1).AddHours(8), TimeSpan.FromHours(8)));
        Assert.Equal(JsonValueKind.Null, Today(await r.CodeAsync()).ValueKind);
        var nextDay = await (await r.ClockInAsync(36.4m)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(nextDay.GetProperty("updatedToday").GetBoolean());
        Assert.Equal(JsonValueKind.Null, nextDay.GetProperty("replaced").ValueKind);
        Assert.Equal(36.4m, Today(nextDay).GetProperty("temperature").GetDecimal());
    }

    [Fact]
    public async Task A_wrong_one_time_code_is_a_401_with_the_reason_on_the_code_field()
    {
        var client = factory.CreateClient();
        var phone = ResidentFlow.NewPhone();
        (await client.PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest(phone))).EnsureSuccessStatusCode();
        var admin = await factory.AdminClientAsync();
        var sent = await (await admin.PostAsJsonAsync("/api/admin/dev/outbox", new OutboxRequest(phone))).Content.ReadFromJsonAsync<JsonElement>();
        var wrong = sent.GetProperty("code").GetString() == "000000" ? "111111" : "000000";

        var response = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(phone, wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("signin.code-wrong", problem.GetProperty("code").GetString());
        Assert.Contains("wrong", problem.GetProperty("errors").GetProperty("code")[0].GetString());
        Assert.DoesNotContain("Not signed in", problem.GetProperty("title").GetString());

        var noCode = await client.PostAsJsonAsync("/api/auth/resident/login", new ResidentLoginRequest(ResidentFlow.NewPhone(), "123456"));
        Assert.Equal(HttpStatusCode.Unauthorized, noCode.StatusCode);
        Assert.Equal("signin.no-code", (await noCode.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    private static JsonElement Today(JsonElement code) => code.GetProperty("todayClockIn");
}
