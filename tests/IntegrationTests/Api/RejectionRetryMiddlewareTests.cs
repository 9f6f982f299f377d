using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Sanmenxia.Api.Problems;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// ProblemSetup's retry of a rejected grain call, on a minimal host composed like Program.cs (UseSanmenxiaProblems
/// first, routing implicit) and, to show the order does not matter, with an explicit UseRouting after it.
/// </summary>
public sealed class RejectionRetryMiddlewareTests
{
    private static async Task<WebApplication> StartAsync(bool explicitRouting, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSanmenxiaProblems();
        var app = builder.Build();
        app.UseSanmenxiaProblems();
        if (explicitRouting) app.UseRouting();
        map(app);
        await app.StartAsync();
        return app;
    }

    private sealed record Echo(string? Text);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_endpoint_whose_grain_call_is_rejected_runs_again_with_the_same_body(bool explicitRouting)
    {
        var runs = 0;
        await using var app = await StartAsync(explicitRouting, a => a.MapPost("/retried", (Echo body) =>
        {
            if (Interlocked.Increment(ref runs) == 1) throw GrainCallFaults.NewRejection("test: rejected");
            return Results.Ok(new { runs, body.Text });
        }));

        var response = await app.GetTestClient().PostAsJsonAsync("/retried", new Echo("the same body"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, runs);
        Assert.Equal("the same body", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_endpoint_marked_WithoutRejectionRetry_runs_once_and_answers_503_with_Retry_After(bool explicitRouting)
    {
        var runs = 0;
        await using var app = await StartAsync(explicitRouting, a => a.MapPost("/not-retried", () =>
        {
            // Throws only on the first run: were the mark not seen, the second run would answer 200.
            if (Interlocked.Increment(ref runs) == 1) throw GrainCallFaults.NewRejection("test: rejected");
            return Results.Ok();
        }).WithoutRejectionRetry());

        var response = await app.GetTestClient().PostAsJsonAsync("/not-retried", new Echo("x"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, runs);
        Assert.NotNull(response.Headers.RetryAfter);
        await FoundationApiTests.AssertProblem(response, 503);
    }

    [Fact]
    public async Task What_the_rejected_run_set_on_the_response_is_not_in_the_retried_answer()
    {
        var runs = 0;
        await using var app = await StartAsync(explicitRouting: false, a => a.MapPost("/cookie-then-rejected", (HttpContext http) =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                http.Response.Cookies.Append("from-first-run", "stale");
                http.Response.Headers["X-First-Run"] = "yes";
                throw GrainCallFaults.NewRejection("test: rejected");
            }
            return Results.NoContent();
        }));

        var response = await app.GetTestClient().PostAsync("/cookie-then-rejected", content: null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(2, runs);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.False(response.Headers.Contains("X-First-Run"));
    }
}
