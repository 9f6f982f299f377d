using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using Sanmenxia.Security;
using Sanmenxia.Tooling;

namespace Sanmenxia.Chaos;

/// <summary>The operator secrets of the drill's system, from the environment or its secrets.env.</summary>
public sealed record Secrets(string AdminUsername, string AdminPassword, string SigningKey, string KeySecret, string PgConnectionString)
{
    public static Secrets Load(string dataDir)
    {
        try
        {
            var system = SystemSecrets.Load(dataDir);
            var pg = system.Get("Postgres__ConnectionString", system.PgConnectionString);
            // The drill's own probes: no pool (they must see a restarted server at once), short timeouts.
            var probe = new NpgsqlConnectionStringBuilder(pg) { Pooling = false, Timeout = 3, CommandTimeout = 5 }.ConnectionString;
            return new Secrets(system.AdminUsername, system.AdminPassword, system.SigningKey, system.KeySecret, probe);
        }
        catch (MissingSecretException e)
        {
            throw new DrillException(e.Message + " (or ./sanmenxia chaos)");
        }
    }
}

/// <summary>Resident tokens for the drill's residents (see ResidentTokenMinter).</summary>
public sealed class TokenMinter(Secrets secrets)
{
    private readonly ResidentTokenMinter _minter = new(secrets.SigningKey);

    public PseudonymousKeys Keys { get; } = new(secrets.KeySecret);

    public string Resident(string residentKey, string phoneKey) =>
        _minter.Mint(residentKey, phoneKey, DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromHours(6));
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
