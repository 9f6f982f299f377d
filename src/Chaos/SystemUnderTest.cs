using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Sanmenxia.Security;

namespace Sanmenxia.Chaos;

/// <summary>The operator secrets of the drill's system, from the environment or its secrets.env.</summary>
public sealed record Secrets(string AdminUsername, string AdminPassword, string SigningKey, string KeySecret, string PgConnectionString)
{
    public static Secrets Load(string dataDir)
    {
        var file = Path.Combine(dataDir, "secrets.env");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(file))
            foreach (var line in File.ReadAllLines(file))
            {
                var t = line.Trim();
                if (t.Length == 0 || t.StartsWith('#')) continue;
                var eq = t.IndexOf('=');
                if (eq > 0) values[t[..eq].Trim()] = t[(eq + 1)..].Trim().Trim('"', '\'');
            }
        string Get(string key, string? fallback = null) =>
            Environment.GetEnvironmentVariable(key) is { Length: > 0 } env ? env
            : values.TryGetValue(key, out var v) && v.Length > 0 ? v
            : fallback ?? throw new DrillException($"{key} is neither in the environment nor in {file}: start the system with ./sanmenxia up (or ./sanmenxia chaos).");
        var pg = Get("Postgres__ConnectionString",
            $"Host=127.0.0.1;Port={Get("SANMENXIA_PG_PORT", "54329")};Database={Get("SANMENXIA_PG_DB", "sanmenxia")};Username=sanmenxia;Password={Get("SANMENXIA_PG_PASSWORD")}");
        // The drill's own probes: no pool (they must see a restarted server at once), short timeouts.
        var probe = new NpgsqlConnectionStringBuilder(pg) { Pooling = false, Timeout = 3, CommandTimeout = 5 }.ConnectionString;
        return new Secrets(Get("Auth__BootstrapAdminUsername", "admin"), Get("Auth__BootstrapAdminPassword"), Get("Auth__SigningKey"), Get("Privacy__KeySecret"), probe);
    }
}

/// <summary>
/// Mints the token the API gives a signed-in resident: HS256 with Auth:SigningKey, iss = aud = "sanmenxia",
/// claims sub = rk, role = resident, rk, pk (as AuthSetup validates and AuthEndpoints.IssueResidentToken issues).
/// </summary>
public sealed class TokenMinter(Secrets secrets)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secrets.SigningKey)), SecurityAlgorithms.HmacSha256);

    public PseudonymousKeys Keys { get; } = new(secrets.KeySecret);

    public string Resident(string residentKey, string phoneKey)
    {
        // Real time, not simulated time: the API validates lifetimes against the machine clock.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["sub"] = residentKey, ["role"] = "resident", ["rk"] = residentKey, ["pk"] = phoneKey,
            ["iss"] = "sanmenxia", ["aud"] = "sanmenxia", ["iat"] = now, ["nbf"] = now, ["exp"] = now + 6 * 3600,
        });
        return _handler.CreateToken(payload, _credentials);
    }
}

/// <summary>Outcome class of one HTTP request, as the drill judges it.</summary>
public enum Outcome
{
    /// <summary>2xx: acknowledged; must be in the store afterwards.</summary>
    Ok,
    /// <summary>503/502/504 with Retry-After: the caller was told to retry; nothing is promised.</summary>
    Retryable,
    /// <summary>Connection refused/reset or the client's timeout: nothing is promised either.</summary>
    ConnectionError,
    /// <summary>Anything else (500, a 5xx without Retry-After, an unexpected 4xx): a failure of the drill.</summary>
    Unexpected,
}

public sealed record Reply(int Status, Outcome Outcome, string Body, string? RetryAfter);

/// <summary>Thin HTTP access to the API, classifying every reply.</summary>
public sealed class Api : IDisposable
{
    private readonly HttpClient _http;

    public Api(string baseUrl, TimeSpan timeout)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            // Short-lived pooled connections, so a restarted API process is found again quickly.
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(3),
            MaxConnectionsPerServer = 256,
        })
        { BaseAddress = new Uri(baseUrl + "/"), Timeout = timeout };
    }

    public async Task<Reply> SendAsync(HttpMethod method, string path, string? bearer, object? json = null, string? csv = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (json is not null) request.Content = new StringContent(JsonSerializer.Serialize(json, Json.Options), Encoding.UTF8, "application/json");
        if (csv is not null) request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        try
        {
            using var response = await _http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            var retryAfter = response.Headers.RetryAfter?.ToString();
            var outcome = status switch
            {
                >= 200 and < 300 => Outcome.Ok,
                503 or 502 or 504 when retryAfter is not null => Outcome.Retryable,
                _ => Outcome.Unexpected,
            };
            return new Reply(status, outcome, body, retryAfter);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or SocketException or IOException && !ct.IsCancellationRequested)
        {
            return new Reply(0, Outcome.ConnectionError, ex.GetType().Name + ": " + ex.Message, null);
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path, string? bearer, CancellationToken ct = default)
    {
        var reply = await SendAsync(HttpMethod.Get, path, bearer, ct: ct);
        if (reply.Outcome != Outcome.Ok) throw new DrillException($"GET {path} answered {reply.Status}: {Trim(reply.Body)}");
        return JsonDocument.Parse(reply.Body).RootElement.Clone();
    }

    public async Task<JsonElement> PostJsonAsync(string path, string? bearer, object? json = null, string? csv = null, CancellationToken ct = default)
    {
        var reply = await SendAsync(HttpMethod.Post, path, bearer, json, csv, ct);
        if (reply.Outcome != Outcome.Ok) throw new DrillException($"POST {path} answered {reply.Status}: {Trim(reply.Body)}");
        return reply.Body.Length == 0 ? default : JsonDocument.Parse(reply.Body).RootElement.Clone();
    }

    /// <summary>Retries a read until it succeeds or the deadline passes (used while verifying, after recovery).</summary>
    public async Task<JsonElement> GetJsonPatientlyAsync(string path, string? bearer, TimeSpan patience)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var reply = await SendAsync(HttpMethod.Get, path, bearer);
            if (reply.Outcome == Outcome.Ok) return JsonDocument.Parse(reply.Body).RootElement.Clone();
            if (reply.Outcome == Outcome.Unexpected || deadline.Elapsed > patience)
                throw new DrillException($"GET {path} answered {reply.Status}: {Trim(reply.Body)}");
            await Task.Delay(250);
        }
    }

    public static string Trim(string s) => s.Length > 300 ? s[..300] + "…" : s;

    public void Dispose() => _http.Dispose();
}

public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

/// <summary>What the drill reads from PostgreSQL directly: membership and reminder rows.</summary>
public sealed class Store(string connectionString, string clusterId)
{
    public sealed record SiloRow(string Address, int Port, int Generation, int Status, DateTimeOffset IAmAlive);

    public async Task<IReadOnlyList<SiloRow>> MembershipAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT address, port, generation, status, i_am_alive_time FROM orleans_membership WHERE deployment_id = @d", connection);
        command.Parameters.AddWithValue("d", clusterId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<SiloRow>();
        while (await reader.ReadAsync(ct))
            rows.Add(new SiloRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4)));
        return rows;
    }

    /// <summary>Reminder rows of the given resident keys (grain ids end with the key).</summary>
    public async Task<int> CountRemindersAsync(IReadOnlyCollection<string> residentKeys, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM orleans_reminder WHERE split_part(grain_id, '/', 2) = ANY(@keys)", connection);
        command.Parameters.AddWithValue("keys", residentKeys.ToArray());
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }

    public const int Active = 3, Dead = 6;
}

/// <summary>Runs ./sanmenxia sub-commands (scale, restart, stop/start PostgreSQL) with the drill's environment.</summary>
public sealed class Script(string path, string logFile)
{
    public async Task RunAsync(string arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(path);
        foreach (var a in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new DrillException($"cannot run {path}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new DrillException($"./sanmenxia {arguments} did not finish within {timeout.TotalSeconds:0} s");
        }
        var text = await output + await error;
        await File.AppendAllTextAsync(logFile, $"--- ./sanmenxia {arguments} (exit {process.ExitCode})\n{StripAnsi(text)}\n");
        if (process.ExitCode != 0) throw new DrillException($"./sanmenxia {arguments} failed ({process.ExitCode}): {Api.Trim(StripAnsi(text))}");
    }

    private static string StripAnsi(string s) => System.Text.RegularExpressions.Regex.Replace(s, "\u001b\\[[0-9;]*m", "");
}

public sealed class DrillException(string message) : Exception(message);
