using System.Buffers;
using System.Buffers.Text;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sanmenxia.LoadTest;

/// <summary>
/// The answer's side of <see cref="RawHttpConnection"/>: status line and headers, then the body skipped (or kept when
/// asked) by Content-Length, by chunks (Transfer-Encoding: chunked, as ASP.NET Core answers JSON), or up to the close.
/// Bytes arrive in any split: every step reads more when its line or its bytes are not all there yet.
/// </summary>
internal sealed partial class RawHttpConnection
{
    /// <summary>The longest status line + headers (or chunk-size line) accepted.</summary>
    private const int MaxHead = 64 * 1024;

    private byte[] _recv;
    private int _start, _end; // the bytes received and not yet parsed
    private long _received;   // bytes of the current answer received
    private byte[]? _body;    // the kept body (when wanted or status ≥ 300)
    private int _bodyLength;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(int Status, string? Body)> ReadResponseAsync(bool answerHasBody, bool wantBody, CancellationToken ct)
    {
        Head head;
        do
        {
            var headEnd = await FindAsync(CrLfCrLf, ct);
            head = Head.Parse(_recv.AsSpan(_start, headEnd - _start));
            _start = headEnd;
        }
        while (head.Status is >= 100 and < 200 and not 101); // interim answers (100 Continue, 103 Early Hints) come first
        var keep = wantBody || head.Status >= 300;
        _bodyLength = 0;
        var closeDelimited = false;
        if (!answerHasBody || head.Status is 101 or 204 or 304) { }
        else if (head.Chunked) await ReadChunkedAsync(keep, ct);
        else if (head.ContentLength >= 0) await ConsumeAsync(head.ContentLength, keep, ct);
        else
        {
            closeDelimited = true; // neither length nor chunks: the body ends when the server closes
            do Take(_end - _start, keep);
            while (await FillAsync(ct) > 0);
        }
        // Bytes beyond the answer would be an answer to nothing (this sender never pipelines): do not trust the rest.
        Reusable = !head.Close && !head.Http10 && !closeDelimited && _start == _end;
        if (_start == _end) _start = _end = 0;
        return (head.Status, keep ? Encoding.UTF8.GetString(_body ?? [], 0, _bodyLength) : null);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadChunkedAsync(bool keep, CancellationToken ct)
    {
        while (true)
        {
            var lineEnd = await FindAsync(CrLf, ct);
            var size = ChunkSize(_recv.AsSpan(_start, lineEnd - 2 - _start));
            _start = lineEnd;
            if (size == 0) break;
            await ConsumeAsync(size, keep, ct);
            lineEnd = await FindAsync(CrLf, ct);
            if (lineEnd - 2 != _start) throw Bad("chunk data not followed by CRLF");
            _start = lineEnd;
        }
        while (true) // trailer fields, up to the empty line
        {
            var lineEnd = await FindAsync(CrLf, ct);
            var empty = lineEnd - 2 == _start;
            _start = lineEnd;
            if (empty) return;
        }
    }

    private static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';'); // chunk extensions are ignored
        if (semicolon >= 0) line = line[..semicolon];
        line = line.Trim(" \t"u8);
        if (line.IsEmpty || line.Length > 15) throw Bad("bad chunk size");
        long size = 0;
        foreach (var b in line)
        {
            var digit = b switch { >= (byte)'0' and <= (byte)'9' => b - '0', >= (byte)'a' and <= (byte)'f' => b - 'a' + 10, >= (byte)'A' and <= (byte)'F' => b - 'A' + 10, _ => -1 };
            if (digit < 0) throw Bad("bad chunk size");
            size = size * 16 + digit;
        }
        return size;
    }

    /// <summary>Reads until <paramref name="marker"/> is in the unparsed bytes; returns the index just after it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FindAsync(byte[] marker, CancellationToken ct)
    {
        var scanned = 0; // relative to _start, which a fill may move
        while (true)
        {
            var at = _recv.AsSpan(_start + scanned, _end - _start - scanned).IndexOf(marker);
            if (at >= 0) return _start + scanned + at + marker.Length;
            scanned = Math.Max(0, _end - _start - (marker.Length - 1));
            if (await FillAsync(ct) == 0) throw Closed();
        }
    }

    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private static readonly byte[] CrLfCrLf = "\r\n\r\n"u8.ToArray();

    /// <summary>Passes over <paramref name="count"/> bytes of body, keeping them when asked.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ConsumeAsync(long count, bool keep, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_start == _end && await FillAsync(ct) == 0) throw Closed();
            var take = (int)Math.Min(count, _end - _start);
            Take(take, keep);
            count -= take;
        }
    }

    private void Take(int count, bool keep)
    {
        if (keep)
        {
            if (_body is null || _body.Length - _bodyLength < count)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(1024, (_bodyLength + count) * 2));
                if (_body is not null)
                {
                    _body.AsSpan(0, _bodyLength).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_body);
                }
                _body = larger;
            }
            _recv.AsSpan(_start, count).CopyTo(_body.AsSpan(_bodyLength));
            _bodyLength += count;
        }
        _start += count;
    }

    /// <summary>Receives more bytes after the unparsed ones (moving them to the front, or growing the buffer for a long head); 0 = closed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FillAsync(CancellationToken ct)
    {
        if (_start == _end) _start = _end = 0;
        if (_end == _recv.Length)
        {
            if (_start > 0)
            {
                _recv.AsSpan(_start, _end - _start).CopyTo(_recv);
                _end -= _start;
                _start = 0;
            }
            else
            {
                if (_recv.Length >= MaxHead) throw Bad($"a head or chunk line longer than {MaxHead} bytes");
                var larger = ArrayPool<byte>.Shared.Rent(_recv.Length * 2);
                _recv.AsSpan(0, _end).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_recv);
                _recv = larger;
            }
        }
        var read = await _socket.ReceiveAsync(_recv.AsMemory(_end, Math.Min(_recv.Length - _end, _maxRead)), SocketFlags.None, ct);
        _end += read;
        _received += read;
        return read;
    }

    private RawHttpException Closed() => _received == 0
        ? new RawHttpException(RawHttpError.ClosedBeforeResponse, "the server closed the connection before answering")
        : new RawHttpException(RawHttpError.ClosedMidResponse, $"the server closed the connection after {_received} bytes of the answer");

    private static RawHttpException Bad(string what) => new(RawHttpError.BadResponse, what);

    /// <summary>What the status line and headers say about reading the body and the connection.</summary>
    private readonly record struct Head(int Status, long ContentLength, bool Chunked, bool Close, bool Http10)
    {
        public static Head Parse(ReadOnlySpan<byte> head)
        {
            var lineEnd = head.IndexOf("\r\n"u8);
            var line = head[..lineEnd];
            // "HTTP/1.1 200 OK": the version, a space, three digits, then a space or the end.
            if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' ' || (line.Length > 12 && line[12] != ' ')
                || !Utf8Parser.TryParse(line.Slice(9, 3), out int status, out var used) || used != 3 || status < 100)
                throw Bad("bad status line");
            var http10 = line[7] == '0';
            long length = -1;
            bool chunked = false, close = false, encoded = false;
            var rest = head[(lineEnd + 2)..];
            while (rest.Length > 2)
            {
                lineEnd = rest.IndexOf("\r\n"u8);
                line = rest[..lineEnd];
                rest = rest[(lineEnd + 2)..];
                var colon = line.IndexOf((byte)':');
                if (colon <= 0) throw Bad("bad header line");
                var name = line[..colon];
                var value = line[(colon + 1)..].Trim(" \t"u8);
                if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
                {
                    if (!Utf8Parser.TryParse(value, out long parsed, out used) || used != value.Length || parsed < 0 || (length >= 0 && parsed != length))
                        throw Bad("bad Content-Length");
                    length = parsed;
                }
                else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
                {
                    encoded = true;
                    chunked = Ascii.EqualsIgnoreCase(LastToken(value), "chunked"u8);
                }
                else if (Ascii.EqualsIgnoreCase(name, "Connection"u8)) close |= HasToken(value, "close"u8);
            }
            // A transfer coding other than chunked last: the body runs to the close (RFC 9112, 6.3).
            if (encoded) length = -1;
            return new Head(status, length, chunked, close || (encoded && !chunked), http10);
        }

        private static ReadOnlySpan<byte> LastToken(ReadOnlySpan<byte> value)
        {
            var comma = value.LastIndexOf((byte)',');
            return (comma < 0 ? value : value[(comma + 1)..]).Trim(" \t"u8);
        }

        private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
        {
            while (true)
            {
                var comma = value.IndexOf((byte)',');
                if (Ascii.EqualsIgnoreCase((comma < 0 ? value : value[..comma]).Trim(" \t"u8), token)) return true;
                if (comma < 0) return false;
                value = value[(comma + 1)..];
            }
        }
    }
}
