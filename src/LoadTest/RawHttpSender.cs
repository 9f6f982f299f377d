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
    private readonly long _checkIdleAfterMs;
    private readonly int _receiveBuffer, _maxRead;
    private int _opened, _resent, _dropped;
    private volatile bool _disposed;

    /// <param name="baseUrl">The API, loopback and plain http only.</param>
    /// <param name="checkIdleAfter">
    /// A connection idle longer than this is checked before reuse (a poll of its socket, as HttpClient does) and dropped
    /// when the server has closed it; default 1 s, infinite = never (the resend rule still covers a close in between).
    /// </param>
    /// <param name="receiveBuffer">Each connection's first receive buffer (bytes); it grows for a longer head.</param>
    /// <param name="maxBytesPerRead">Bytes taken from the socket at most per receive: for tests, which make every answer arrive in pieces.</param>
    public RawHttpSender(Uri baseUrl, TimeSpan? checkIdleAfter = null, int receiveBuffer = RawHttpConnection.InitialBuffer, int maxBytesPerRead = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(receiveBuffer, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytesPerRead, 1);
        (_receiveBuffer, _maxRead) = (receiveBuffer, maxBytesPerRead);
        var check = checkIdleAfter ?? TimeSpan.FromSeconds(1);
        _checkIdleAfterMs = check == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)check.TotalMilliseconds;
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

    /// <summary>Idle connections dropped before reuse because the server had closed them.</summary>
    public int DroppedIdle => Volatile.Read(ref _dropped);

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
            if (attempt == 0 && TakeIdle() is { } idle) (connection, reused) = (idle, true);
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
                if (keep && !_disposed)
                {
                    connection.IdleSince = Environment.TickCount64;
                    _idle.Enqueue(connection);
                }
                else connection.Dispose();
            }
        }
    }

    /// <summary>An idle connection still open as far as can be told, or null.</summary>
    private RawHttpConnection? TakeIdle()
    {
        while (_idle.TryDequeue(out var connection))
        {
            if (Environment.TickCount64 - connection.IdleSince < _checkIdleAfterMs || !connection.PeerClosedOrSpoke()) return connection;
            Interlocked.Increment(ref _dropped);
            connection.Dispose();
        }
        return null;
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
                return new RawHttpConnection(socket, _receiveBuffer, _maxRead);
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
