using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sanmenxia.LoadTest;

/// <summary>
/// A lean HTTP/1.1 sender for the hot resident phases (apply, clock-in, code; issue 20 item 6): persistent keep-alive
/// TCP connections to the loopback API, one request at a time on each (no pipelining), idle ones kept in a queue, so
/// it serves the closed loop's workers and the open loop's requests in flight alike. A request is written from
/// prebuilt bytes (request line, Host, Authorization, Idempotency-Key, Content-Type, Content-Length, body) into the
/// connection's own buffer; the answer is parsed in place (Content-Length or chunked) and its body is turned into a
/// string only when asked or when the status is 300 or more, as <see cref="ApiClient.SendFastAsync"/> does.
/// A reused connection the server closed while it was idle is replaced and the request sent once more, but only if
/// nothing of the answer had arrived; anything else is reported.
/// </summary>
public sealed class RawHttpSender : IDisposable
{
    /// <summary>How long opening a connection may take (as ApiClient's handler), besides the caller's token.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly Uri _baseUrl;
    private readonly IPEndPoint[] _endpoints;
    private readonly ConcurrentQueue<RawHttpConnection> _idle = new();
    private readonly ConcurrentDictionary<(string Method, string Path), RawRequestTemplate> _templates = new();
    private int _opened, _resent;
    private volatile bool _disposed;

    public RawHttpSender(Uri baseUrl)
    {
        if (!LoadTestOptions.IsLoopback(baseUrl)) throw new ArgumentException("loopback only", nameof(baseUrl));
        if (baseUrl.Scheme != Uri.UriSchemeHttp) throw new ArgumentException("the raw sender speaks plain HTTP/1.1 only (use --sender httpclient for https)", nameof(baseUrl));
        _baseUrl = baseUrl;
        _endpoints = IPAddress.TryParse(baseUrl.Host.Trim('[', ']'), out var ip)
            ? [new IPEndPoint(ip, baseUrl.Port)]
            : Dns.GetHostAddresses(baseUrl.DnsSafeHost).Where(IPAddress.IsLoopback).Select(a => new IPEndPoint(a, baseUrl.Port)).ToArray();
        if (_endpoints.Length == 0) throw new ArgumentException($"{baseUrl.Host} has no loopback address", nameof(baseUrl));
    }

    /// <summary>TCP connections opened so far (a reused connection opens none).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _opened);

    /// <summary>Requests sent a second time because a reused connection turned out closed before any of the answer.</summary>
    public int Resent => Volatile.Read(ref _resent);

    /// <summary>Connections waiting for their next request.</summary>
    public int IdleConnections => _idle.Count;

    /// <summary>
    /// Sends one request and reads its whole answer. <paramref name="path"/> is relative to the base URL (as with
    /// HttpClient's BaseAddress); the body, when given, is sent as application/json; charset=utf-8. Returns the status
    /// code, and the body when <paramref name="wantBody"/> or the status is 300 or more (else null).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(int Status, string? Body)> SendAsync(HttpMethod method, string path, string bearer, byte[]? body, bool wantBody,
        CancellationToken ct, string? idempotencyKey = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var template = Template(method, path);
        for (var attempt = 0; ; attempt++)
        {
            RawHttpConnection? connection = null;
            var reused = false;
            if (attempt == 0 && _idle.TryDequeue(out connection)) reused = true;
            connection ??= await OpenAsync(ct);
            var keep = false;
            try
            {
                var answer = await connection.ExchangeAsync(template, bearer, idempotencyKey, body, wantBody, ct);
                keep = connection.Reusable;
                return answer;
            }
            catch (Exception e) when (reused && connection.NothingReceived && !ct.IsCancellationRequested && IsClosedByPeer(e))
            {
                // The server closed this idle connection (its keep-alive timeout, a restart): nothing of an answer
                // arrived, so the request is sent once more on a fresh connection (attempt 1 never takes an idle one).
                Interlocked.Increment(ref _resent);
            }
            finally
            {
                if (keep && !_disposed) _idle.Enqueue(connection);
                else connection.Dispose();
            }
        }
    }

    private static bool IsClosedByPeer(Exception e) =>
        e is SocketException or IOException { InnerException: SocketException } || e is RawHttpException { Kind: RawHttpError.ClosedBeforeResponse };

    private RawRequestTemplate Template(HttpMethod method, string path)
    {
        if (_templates.TryGetValue((method.Method, path), out var template)) return template;
        return _templates.GetOrAdd((method.Method, path), static (key, baseUrl) => RawRequestTemplate.Create(baseUrl, key.Method, key.Path), _baseUrl);
    }

    private async ValueTask<RawHttpConnection> OpenAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        Exception? last = null;
        foreach (var endpoint in _endpoints)
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token);
                Interlocked.Increment(ref _opened);
                return new RawHttpConnection(socket);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                last = new TimeoutException($"connecting to {endpoint} took more than {ConnectTimeout.TotalSeconds:N0} s");
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryDequeue(out var connection)) connection.Dispose();
    }
}

/// <summary>What went wrong in an exchange that is not a socket error or a cancellation.</summary>
public enum RawHttpError
{
    /// <summary>The server closed the connection before any byte of the answer.</summary>
    ClosedBeforeResponse,
    /// <summary>The server closed the connection in the middle of the answer.</summary>
    ClosedMidResponse,
    /// <summary>The answer is not HTTP/1.x as this parser reads it (status line, header, chunk size).</summary>
    BadResponse,
}

public sealed class RawHttpException(RawHttpError kind, string message) : IOException(message)
{
    public RawHttpError Kind { get; } = kind;
}

/// <summary>The fixed bytes of one method and path: the request line, Host and the start of the Authorization header.</summary>
internal sealed class RawRequestTemplate
{
    private RawRequestTemplate(byte[] head, bool sendsLength, bool answerHasBody)
    {
        Head = head;
        SendsLength = sendsLength;
        AnswerHasBody = answerHasBody;
    }

    /// <summary>"METHOD /target HTTP/1.1\r\nHost: host:port\r\nAuthorization: Bearer ".</summary>
    public byte[] Head { get; }
    /// <summary>Content-Length: 0 is sent without a body too (POST, PUT, PATCH, as HttpClient does).</summary>
    public bool SendsLength { get; }
    /// <summary>False for HEAD: its answer's Content-Length describes a body that is not sent.</summary>
    public bool AnswerHasBody { get; }

    public static RawRequestTemplate Create(Uri baseUrl, string method, string path)
    {
        var target = new Uri(baseUrl, path).PathAndQuery;
        var head = $"{method} {target} HTTP/1.1\r\nHost: {baseUrl.Authority}\r\nAuthorization: Bearer ";
        if (!System.Text.Ascii.IsValid(head) || target.AsSpan().IndexOfAny(" \r\n") >= 0) throw new ArgumentException($"not a request target: {target}", nameof(path));
        return new RawRequestTemplate(Encoding.ASCII.GetBytes(head), method is "POST" or "PUT" or "PATCH", method != "HEAD");
    }
}
