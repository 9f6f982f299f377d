using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// How the pages' files travel (Hosting/StaticFileSetup.cs, docs/delivery.md): compressed at build time and sent with the
/// encoding the browser accepts (Brotli, gzip, or none) and Vary: Accept-Encoding; plain URLs revalidated (no-cache,
/// ETag, 304); the content-hashed URL of the same file cached for a year as immutable; the service worker never cached
/// without revalidation.
/// </summary>
[Collection("api")]
public sealed class StaticDeliveryTests(ApiFactory factory)
{
    [Theory]
    [InlineData("/lib/echarts/echarts.min.js", "br", "br")]
    [InlineData("/lib/echarts/echarts.min.js", "gzip", "gzip")]
    [InlineData("/lib/echarts/echarts.min.js", "gzip, deflate, br", "br")]
    [InlineData("/index.html", "br", "br")]
    [InlineData("/js/resident.js", "gzip", "gzip")]
    [InlineData("/css/site.css", "br", "br")]
    [InlineData("/favicon.svg", "gzip", "gzip")]
    [InlineData("/checkpoint.webmanifest", "br", "br")]
    public async Task A_static_file_is_sent_compressed_in_the_encoding_the_browser_accepts(string path, string accept, string expected)
    {
        var plain = await GetAsync(path, null);
        var response = await GetAsync(path, accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var packed = await response.Content.ReadAsByteArrayAsync();
        var original = await plain.Content.ReadAsByteArrayAsync();
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.True(packed.Length < original.Length, $"{path}: {packed.Length} compressed bytes, {original.Length} plain");
        Assert.Equal(original, Unpack(packed, expected));
        Assert.Equal(plain.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_chart_library_travels_as_a_third_of_its_size_or_less()
    {
        var plain = await GetAsync("/lib/echarts/echarts.min.js", null);
        var brotli = await GetAsync("/lib/echarts/echarts.min.js", "br");
        var bytes = (await brotli.Content.ReadAsByteArrayAsync()).Length;
        Assert.True(bytes * 3 < (await plain.Content.ReadAsByteArrayAsync()).Length, $"{bytes} bytes with Brotli");
    }

    [Theory]
    [InlineData("/index.html")]
    [InlineData("/js/resident.js")]
    [InlineData("/sw.js")]
    [InlineData("/lib/echarts/echarts.min.js")]
    public async Task A_plain_url_is_revalidated_and_answers_304_when_unchanged(string path)
    {
        var response = await GetAsync(path, "br");
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        var etag = response.Headers.ETag ?? throw new InvalidOperationException($"{path} has no ETag");

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.AcceptEncoding.ParseAdd("br");
        again.Headers.IfNoneMatch.Add(etag);
        var revalidated = await factory.CreateClient().SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("lib/echarts/echarts.min", "js")]
    [InlineData("js/resident", "js")]
    [InlineData("css/site", "css")]
    public async Task The_content_hashed_url_of_a_file_is_cached_for_a_year_as_immutable(string stem, string extension)
    {
        var hashed = HashedUrl(stem, extension);
        var response = await GetAsync(hashed, "gzip, br");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cache = response.Headers.CacheControl!;
        Assert.True(cache.Extensions.Any(e => e.Name == "immutable"), $"{hashed}: {cache}");
        Assert.Equal(TimeSpan.FromDays(365), cache.MaxAge);
        Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
        // The same bytes as the plain URL.
        var plain = await GetAsync($"/{stem}.{extension}", "br");
        Assert.Equal(await plain.Content.ReadAsByteArrayAsync(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_site_root_is_the_resident_portal_and_a_missing_file_is_not_served()
    {
        var root = await GetAsync("/", "br");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await (await GetAsync("/index.html", "br")).Content.ReadAsByteArrayAsync(), await root.Content.ReadAsByteArrayAsync());
        // As before: no endpoint, so the API's fallback policy answers (401 problem details), never a page.
        Assert.False((await GetAsync("/js/no-such-file.js", "br")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Api_answers_are_not_compressed()
    {
        // BREACH: an API answer can carry a secret (a token, a code) beside text an attacker chooses, so it is never
        // compressed (docs/delivery.md).
        var response = await GetAsync("/api/regions?parent=411200", "gzip, br");
        Assert.Empty(response.Content.Headers.ContentEncoding);
    }

    /// <summary>The file's content-hashed route (name.&lt;fingerprint&gt;.ext), as the app maps it.</summary>
    private string HashedUrl(string stem, string extension)
    {
        var pattern = new Regex("^" + Regex.Escape(stem) + @"\.[a-z0-9]{6,}\." + extension + "$");
        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText?.TrimStart('/') ?? "").Where(r => pattern.IsMatch(r)).Distinct().ToList();
        return "/" + Assert.Single(routes);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
            foreach (var item in acceptEncoding.Split(',', StringSplitOptions.TrimEntries))
                request.Headers.AcceptEncoding.Add(StringWithQualityHeaderValue.Parse(item));
        var response = await factory.CreateClient().SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static byte[] Unpack(byte[] packed, string encoding)
    {
        using var input = new MemoryStream(packed);
        using Stream reader = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        reader.CopyTo(output);
        return output.ToArray();
    }
}
