using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Sanmenxia.Api.Hosting;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address. The client's own address (the trip query's
/// rate limit is per client) and scheme (the cookie's Secure flag) are then taken from X-Forwarded-For and
/// X-Forwarded-Proto, but only when the request comes from a proxy listed in <c>Api:TrustedProxies</c> (or
/// loopback): anyone else could write those headers to pass for another client.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static IApplicationBuilder UseSanmenxiaForwardedHeaders(this WebApplication app)
    {
        var trusted = app.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>()?.TrustedProxies ?? "";
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        foreach (var entry in trusted.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network)) options.KnownIPNetworks.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) options.KnownProxies.Add(address);
            else throw new InvalidOperationException($"Api:TrustedProxies: '{entry}' is neither an IP address nor a CIDR network.");
        }
        return app.UseForwardedHeaders(options);
    }
}
