using System.Net;
using System.Text.Json;
using System.Xml.Linq;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>Calls of the Open311 tests: a form POST, and answers read as JSON or as XML with their status and content type checked.</summary>
internal static class Open311Client
{
    public const string Root = "/open311/v2";

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string format, params (string Name, string Value)[] fields) =>
        client.PostAsync($"{Root}/requests.{format}", new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        return JsonDocument.Parse(text).RootElement;
    }

    public static async Task<XElement> XmlAsync(HttpResponseMessage response, int status, string root)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", text);
        var document = XDocument.Parse(text);
        Assert.Equal(root, document.Root!.Name.LocalName);
        Assert.Equal("", document.Root.Name.NamespaceName);
        return document.Root;
    }

    /// <summary>The spec's error answer in JSON: [{"code":…,"description":…}], the code matching the HTTP status.</summary>
    public static async Task<IReadOnlyList<string>> JsonErrorsAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var errors = await JsonAsync(response, (int)status);
        Assert.Equal(JsonValueKind.Array, errors.ValueKind);
        Assert.NotEqual(0, errors.GetArrayLength());
        Assert.All(errors.EnumerateArray(), e => Assert.Equal((int)status, e.GetProperty("code").GetInt32()));
        return errors.EnumerateArray().Select(e => e.GetProperty("description").GetString()!).ToList();
    }

    /// <summary>The spec's error answer in XML: &lt;errors&gt;&lt;error&gt;&lt;code/&gt;&lt;description/&gt;&lt;/error&gt;&lt;/errors&gt;.</summary>
    public static async Task<IReadOnlyList<string>> XmlErrorsAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var errors = await XmlAsync(response, (int)status, "errors");
        var list = errors.Elements().ToList();
        Assert.NotEmpty(list);
        Assert.All(list, e =>
        {
            Assert.Equal("error", e.Name.LocalName);
            Assert.Equal(["code", "description"], e.Elements().Select(c => c.Name.LocalName));
            Assert.Equal(((int)status).ToString(), e.Element("code")!.Value);
        });
        return list.Select(e => e.Element("description")!.Value).ToList();
    }

    public static readonly string[] RequestFields =
    [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible", "service_notice",
        "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
    ];
}
