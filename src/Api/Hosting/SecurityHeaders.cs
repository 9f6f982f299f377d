namespace Sanmenxia.Api.Hosting;

/// <summary>
/// Browser-side defences on every response (pages, API answers, problems, static files): a Content-Security-Policy
/// that lets pages run only this site's own scripts and styles (no inline script or style, no other origin) and be
/// framed by nobody, plus X-Content-Type-Options, X-Frame-Options and Referrer-Policy. The pages under wwwroot use
/// only local files (js/, lib/, css/). The Scalar reference at /docs and the Orleans dashboard at /ops/orleans are
/// third-party pages with inline scripts and styles: they get a relaxed policy of their own, still same-origin only.
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; " +
        "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string ToolPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSanmenxiaSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            var tool = http.Request.Path.StartsWithSegments("/docs") || http.Request.Path.StartsWithSegments("/scalar")
                || http.Request.Path.StartsWithSegments("/ops/orleans");
            headers.ContentSecurityPolicy = tool ? ToolPolicy : PagePolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        }, http);
        return next(http);
    });
}
