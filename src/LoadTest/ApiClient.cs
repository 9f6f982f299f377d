using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Sanmenxia.LoadTest;

/// <summary>HTTP/1.1 keep-alive client of the API, loopback only, with a connection for every request in flight.</summary>
public sealed class ApiClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly MediaTypeHeaderValue CsvType = new("text/csv") { CharSet = "utf-8" };
    private readonly HttpClient _http;
    /// <summary>The API's retry-safety header (docs/operations.md, "Retries, deadlines and the outbox").</summary>
    public const string IdempotencyHeader = "Idempotency-Key";
    /// <summary>Prefix of this run's keys: a second run against the same system is not taken for a retry of the first.</summary>
    public static readonly string RunKey = Guid.NewGuid().ToString("N")[..12];

    public ApiClient(Uri baseUrl, int connections)
    {
        if (!LoadTestOptions.IsLoopback(baseUrl)) throw new ArgumentException("loopback only", nameof(baseUrl));
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromMinutes(15), // an import of 20k rows may take a while; phases have their own deadline
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? bearer, byte[]? body = null,
        bool csv = false, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        // One key per action, as the pages send (these calls are not retried: a fresh key each).
        if (method != HttpMethod.Get) request.Headers.TryAddWithoutValidation(IdempotencyHeader, Guid.NewGuid().ToString("N"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = csv ? CsvType : Json;
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>
    /// For the hot loops: the body is only read (to keep the connection reusable) and returned when asked. A mutating call
    /// carries <paramref name="idempotencyKey"/> (one per simulated user action, the same if that action is sent again).
    /// </summary>
    public async Task<(int Status, string? Body)> SendFastAsync(HttpMethod method, string path, string bearer, byte[]? body, bool wantBody, CancellationToken ct,
        string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation(IdempotencyHeader, idempotencyKey);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = Json;
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var status = (int)response.StatusCode;
        return (status, wantBody || status >= 300 ? await response.Content.ReadAsStringAsync(ct) : null);
    }

    public async Task<JsonElement> GetJsonAsync(string path, string? bearer = null, CancellationToken ct = default)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, path, bearer, ct: ct);
        if ((int)status >= 300) throw new InvalidOperationException($"GET {path}: {(int)status} {Trim(body)}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<(HttpStatusCode Status, JsonElement? Json, string Body)> PostJsonAsync(string path, object payload, string? bearer, CancellationToken ct = default)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(payload, JsonSerializerOptions.Web));
        var (status, body) = await SendAsync(HttpMethod.Post, path, bearer, bytes, ct: ct);
        JsonElement? json = null;
        if (body.Length > 0 && body[0] is '{' or '[') json = JsonDocument.Parse(body).RootElement.Clone();
        return (status, json, body);
    }

    public static string Trim(string? s) => s is null ? "" : s.Length > 300 ? s[..300] + "…" : s;

    public void Dispose() => _http.Dispose();
}
