using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Behind a reverse proxy the anonymous trip query's rate limit must count each client, not the proxy: the client's
/// address comes from X-Forwarded-For, but only from a proxy listed in Api:TrustedProxies; a client that writes the
/// header itself is still counted by its own address. Each window allows 3 queries here, so 7 from one client see at
/// least one refusal even if a window boundary falls inside the test.
/// </summary>
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private const int Permits = 3;
    private readonly ApiFactory _base = new();
    private WebApplicationFactory<Program> _api = null!;

    public Task InitializeAsync()
    {
        _api = _base.WithWebHostBuilder(b =>
        {
            b.UseSetting("Api:TrustedProxies", "10.0.0.0/8");
            b.UseSetting("Trips:QueryPermitsPerMinute", Permits.ToString());
        });
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_rate_limit_counts_clients_behind_a_trusted_proxy_and_ignores_the_header_from_anyone_else()
    {
        // Through the proxy: one client exhausts its permits; another client behind the same proxy is not affected.
        var first = await QueriesAsync(2 * Permits + 1, from: "10.1.2.3", forwardedFor: _ => "203.0.113.10");
        Assert.Contains(HttpStatusCode.TooManyRequests, first);
        Assert.Equal([HttpStatusCode.OK], await QueriesAsync(1, from: "10.1.2.3", forwardedFor: _ => "203.0.113.11"));

        // Directly, from an address that is no trusted proxy: a different X-Forwarded-For on each request changes nothing.
        var spoofed = await QueriesAsync(2 * Permits + 1, from: "198.51.100.7", forwardedFor: i => $"203.0.113.{100 + i}");
        Assert.Contains(HttpStatusCode.TooManyRequests, spoofed);
    }

    [Fact]
    public async Task Loopback_is_no_trusted_proxy_unless_listed()
    {
        // Anyone on the host (or behind a local proxy passing the header on) could otherwise pick a new address per query.
        var fromLoopback = await QueriesAsync(2 * Permits + 1, from: "127.0.0.1", forwardedFor: i => $"203.0.113.{150 + i}");
        Assert.Contains(HttpStatusCode.TooManyRequests, fromLoopback);
    }

    private async Task<List<HttpStatusCode>> QueriesAsync(int count, string from, Func<int, string> forwardedFor)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            var context = await _api.Server.SendAsync(c =>
            {
                c.Request.Method = HttpMethods.Get;
                c.Request.Path = "/api/trips/query";
                c.Request.QueryString = new QueryString("?mode=Train&number=G7001&date=2020-01-30&carriage=2");
                c.Request.Headers["X-Forwarded-For"] = forwardedFor(i);
                c.Connection.RemoteIpAddress = IPAddress.Parse(from);
            });
            statuses.Add((HttpStatusCode)context.Response.StatusCode);
        }
        return statuses;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _base.DisposeAsync();
    }
}
