namespace Sanmenxia.Api.Hosting;

/// <summary>
/// The pages and their files, served from the build's static-asset manifest (ASP.NET Core's MapStaticAssets): every file
/// under wwwroot is compressed at build time (gzip and Brotli, the csproj's BuildCompressionFormats) and answered with
/// the encoding the browser accepts, an ETag and Vary: Accept-Encoding. A plain URL (/index.html, /js/resident.js,
/// /sw.js) is always revalidated (Cache-Control: no-cache, a 304 when unchanged), so a new version reaches the devices on
/// their next visit; the same file under its content-hashed URL (name.&lt;fingerprint&gt;.ext, see
/// docs/delivery.md) is cached for a year as immutable. The files are public: the endpoints allow anonymous
/// callers (the API's fallback policy asks for a signed-in user).
/// </summary>
public static class StaticFileSetup
{
    /// <summary>
    /// Run from a build (./sanmenxia up runs bin/), the compressed variants are in obj/ and only the build's
    /// Sanmenxia.Api.staticwebassets.runtime.json says where: read it in every environment, not only in Development.
    /// A published app has no such file and serves its wwwroot, compressed variants included, as is.
    /// appsettings.json sets ReloadStaticAssetsAtRuntime to false: otherwise a build's manifest makes MapStaticAssets
    /// re-read and re-compress each file per request and answer every URL with no-cache (its hot-reload mode), which is
    /// what this setup exists to avoid; a changed file under wwwroot is served after the next build.
    /// </summary>
    public static WebApplicationBuilder AddSanmenxiaStaticFiles(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplication MapSanmenxiaStaticFiles(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        return app;
    }
}
