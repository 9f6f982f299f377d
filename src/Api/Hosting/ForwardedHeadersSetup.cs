using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Sanmenxia.Api.Hosting;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address. The client's own address (the trip query's
/// rate limit is per client) and scheme (the cookie's Secure flag) are then taken from X-Forwarded-For and
/// X-Forwarded-Proto, but only when the request comes from a proxy listed in <c>Api:TrustedProxies</c>: anyone else
/// could write those headers to pass for another client. Loopback is not trusted unless listed (ASP.NET trusts it by
/// default, so anyone on the host, or a client of a local proxy that passes the header on, could choose their
/// address): a proxy on the same host is listed as 127.0.0.1 or ::1.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static IApplicationBuilder UseSanmenxiaForwardedHeaders(this WebApplication app)
    {
        var trusted = app.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>()?.TrustedProxies ?? "";
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in trusted.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network)) options.KnownIPNetworks.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) options.KnownProxies.Add(address);
            else throw new InvalidOperationException($"Api:TrustedProxies: '{entry}' is neither an IP address nor a CIDR network.");
        }
        return app.UseForwardedHeaders(options);
    }
}
