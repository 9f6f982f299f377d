using System.Buffers;
using System.Buffers.Text;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sanmenxia.LoadTest;

/// <summary>
/// One keep-alive connection of <see cref="RawHttpSender"/>: writes a request from its template into a send buffer of
/// its own, then reads the answer through a receive buffer of its own (rented from the array pool, returned on
/// dispose). Used by one request at a time. The answer's parser is in RawHttpConnection.Response.cs.
/// </summary>
internal sealed partial class RawHttpConnection : IDisposable
{
    public const int InitialBuffer = 4096;
    private static ReadOnlySpan<byte> IdempotencyName => "\r\nIdempotency-Key: "u8;
    private static ReadOnlySpan<byte> JsonLengthName => "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: "u8;
    private static ReadOnlySpan<byte> LengthName => "\r\nContent-Length: "u8;
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    private readonly Socket _socket;
    private readonly int _maxRead;
    private byte[] _send = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    private int _disposed;

    /// <param name="socket">A connected socket; the connection owns it.</param>
    /// <param name="receiveBuffer">The receive buffer's first size (it grows for a longer head).</param>
    /// <param name="maxRead">Bytes taken from the socket at most per receive (tests make every answer arrive in pieces).</param>
    public RawHttpConnection(Socket socket, int receiveBuffer = InitialBuffer, int maxRead = int.MaxValue)
    {
        _socket = socket;
        _recv = ArrayPool<byte>.Shared.Rent(receiveBuffer);
        _maxRead = maxRead;
    }

    /// <summary>After an answer: whether the connection may carry the next request (no Connection: close, nothing left over).</summary>
    public bool Reusable { get; private set; }

    /// <summary>When it was last put back idle (<see cref="Environment.TickCount64"/>).</summary>
    public long IdleSince { get; set; }

    /// <summary>
    /// For an idle connection: readable means the server closed it (or sent bytes no request asked for); either way it
    /// cannot carry the next request.
    /// </summary>
    public bool PeerClosedOrSpoke()
    {
        try { return _socket.Poll(0, SelectMode.SelectRead); }
        catch (SocketException) { return true; }
    }

    /// <summary>True while no byte of the current request's answer has arrived (a resend is then safe to decide on).</summary>
    public bool NothingReceived => _received == 0;

    /// <summary>Sends the request and reads its answer; the body as a string when asked or when the status is 300 or more.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(int Status, string? Body)> ExchangeAsync(RawRequestTemplate template, string bearer, string? idempotencyKey, byte[]? body,
        bool wantBody, CancellationToken ct)
    {
        Reusable = false;
        _received = 0;
        var length = Compose(template, bearer, idempotencyKey, body);
        var pending = _send.AsMemory(0, length);
        while (!pending.IsEmpty)
        {
            var sent = await _socket.SendAsync(pending, SocketFlags.None, ct);
            pending = pending[sent..];
        }
        return await ReadResponseAsync(template.AnswerHasBody, wantBody, ct);
    }

    /// <summary>Writes the request into the send buffer; returns its length in bytes.</summary>
    private int Compose(RawRequestTemplate template, string bearer, string? key, byte[]? body)
    {
        var bodyLength = body?.Length ?? 0;
        var size = template.Head.Length + bearer.Length + (key is null ? 0 : IdempotencyName.Length + key.Length)
            + JsonLengthName.Length + 11 + EndOfHead.Length + bodyLength;
        if (_send.Length < size)
        {
            ArrayPool<byte>.Shared.Return(_send);
            _send = ArrayPool<byte>.Shared.Rent(size);
        }
        var span = _send.AsSpan();
        template.Head.CopyTo(span);
        var at = template.Head.Length;
        at += HeaderValue(bearer, span[at..], "bearer token");
        if (key is not null)
        {
            IdempotencyName.CopyTo(span[at..]);
            at += IdempotencyName.Length;
            at += HeaderValue(key, span[at..], "Idempotency-Key");
        }
        if (body is not null || template.SendsLength)
        {
            var name = body is null ? LengthName : JsonLengthName;
            name.CopyTo(span[at..]);
            at += name.Length;
            Utf8Formatter.TryFormat(bodyLength, span[at..], out var digits);
            at += digits;
        }
        EndOfHead.CopyTo(span[at..]);
        at += EndOfHead.Length;
        if (body is not null)
        {
            body.CopyTo(span[at..]);
            at += body.Length;
        }
        return at;
    }

    /// <summary>A header value as ASCII; refuses non-ASCII and line breaks (which would forge headers).</summary>
    private static int HeaderValue(string value, Span<byte> into, string what)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0 || Ascii.FromUtf16(value, into, out var written) != OperationStatus.Done)
            throw new ArgumentException($"the {what} must be ASCII on one line");
        return written;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _socket.Dispose();
        ArrayPool<byte>.Shared.Return(_send);
        ArrayPool<byte>.Shared.Return(_recv);
        if (_body is not null) ArrayPool<byte>.Shared.Return(_body);
        _send = _recv = [];
        _body = null;
    }
}
