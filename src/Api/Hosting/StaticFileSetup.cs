using Microsoft.AspNetCore.StaticFiles;

namespace Sanmenxia.Api.Hosting;

public static class StaticFileSetup
{
    /// <summary>
    /// The pages and their files. The checkpoint page's web app manifest is served as application/manifest+json, and its
    /// service worker (/sw.js, at the site root so it may control /checkpoint.html) is always revalidated, so a new version
    /// reaches the devices on their next visit; so is the resident portal's (/portal-sw.js, scope /).
    /// </summary>
    public static IApplicationBuilder UseSanmenxiaStaticFiles(this IApplicationBuilder app)
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        return app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = types,
            OnPrepareResponse = context =>
            {
                if (context.Context.Request.Path.Equals("/sw.js", StringComparison.Ordinal)
                    || context.Context.Request.Path.Equals("/portal-sw.js", StringComparison.Ordinal))
                    context.Context.Response.Headers.CacheControl = "no-cache";
            },
        });
    }
}
