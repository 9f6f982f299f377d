using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Sanmenxia.Api.Hosting;

/// <summary>
/// Applies the body limit of each endpoint (its IRequestSizeLimitMetadata, else Api:MaxRequestBodyBytes)
/// before any handler reads the body: Kestrel enforces it while streaming, and a declared Content-Length
/// over the limit is refused at once with 413 problem details.
/// </summary>
public static class RequestSizeLimits
{
    public static IApplicationBuilder UseSanmenxiaRequestSizeLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var options = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? options.MaxRequestBodyBytes;
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = limit;
        if (http.Request.ContentLength > limit)
            throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        await next(http);
    });
}
