using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// The Idempotency-Key header through the real API: a malformed key is a 400 naming the header; the same user action
/// sent twice with its key is done once and answered alike; a new key is a new action (docs/operations.md).
/// </summary>
[Collection("api")]
public sealed class IdempotencyApiTests(ApiFactory factory)
{
    private static HttpRequestMessage Post(string path, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65 characters
    [InlineData("a/b")]
    public async Task A_malformed_key_is_refused_naming_the_header(string key)
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();

        var response = await r.Client.SendAsync(Post("/api/residents/me/needs", new NeedRequest("Food", "米"), key));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        var overview = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Equal(0, overview.GetProperty("needs").GetArrayLength()); // nothing ran
    }

    [Fact]
    public async Task A_need_sent_again_with_its_key_is_added_once_and_answered_alike()
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();
        var key = Guid.NewGuid().ToString("N");

        var first = await r.Client.SendAsync(Post("/api/residents/me/needs", new NeedRequest("Medicine", "降压药"), key));
        var retry = await r.Client.SendAsync(Post("/api/residents/me/needs", new NeedRequest("Medicine", "降压药"), key));
        var other = await r.Client.SendAsync(Post("/api/residents/me/needs", new NeedRequest("Medicine", "降压药"), Guid.NewGuid().ToString("N")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(firstId, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        Assert.NotEqual(firstId, (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        var overview = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Equal(2, overview.GetProperty("needs").GetArrayLength());
    }

    [Fact]
    public async Task A_clock_in_sent_again_with_its_key_answers_200_instead_of_running_twice()
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();
        var key = Guid.NewGuid().ToString("N");
        var apply = await r.Client.SendAsync(Post("/api/residents/me/apply", new ApplyRequest(36.5m, true), key));
        var applyAgain = await r.Client.SendAsync(Post("/api/residents/me/apply", new ApplyRequest(36.5m, true), key));

        Assert.Equal(HttpStatusCode.OK, apply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, applyAgain.StatusCode); // not 422 "already applied": it is the same application
        var history = (await applyAgain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("history").GetArrayLength();
        Assert.Equal((await apply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("history").GetArrayLength(), history);
    }
}
