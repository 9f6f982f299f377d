using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sanmenxia.UnitTests.LoadTest;

/// <summary>
/// A canned HTTP/1.1 server for the raw sender's tests: a TcpListener on 127.0.0.1:0 that reads each request (head
/// and Content-Length body, kept byte for byte) and lets the test's handler write the answer in any pieces, close the
/// connection, or never answer. Counts the TCP connections it accepted.
/// </summary>
internal sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<FakeExchange, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accepting;
    private int _accepts, _requests;

    public FakeHttpServer(Func<FakeExchange, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl { get; }
    public int Accepts => Volatile.Read(ref _accepts);
    /// <summary>Every request as received, in arrival order: the exact bytes of the head and the body.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>A plain answer with a Content-Length body.</summary>
    public static byte[] Answer(int status, string body, string extraHeaders = "") =>
        Encoding.UTF8.GetBytes($"HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\n{extraHeaders}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                client.NoDelay = true; // every write of the handler leaves as its own segment
                Interlocked.Increment(ref _accepts);
                _clients.Add(client);
                _ = ServeAsync(client);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                int headEnd;
                while ((headEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
                {
                    var n = await stream.ReadAsync(chunk, _stop.Token);
                    if (n == 0) return;
                    buffer.AddRange(chunk.AsSpan(0, n));
                }
                var head = Encoding.ASCII.GetString(buffer.GetRange(0, headEnd + 4).ToArray());
                var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim());
                while (buffer.Count < headEnd + 4 + length)
                {
                    var n = await stream.ReadAsync(chunk, _stop.Token);
                    if (n == 0) return;
                    buffer.AddRange(chunk.AsSpan(0, n));
                }
                var request = Encoding.UTF8.GetString(buffer.GetRange(0, headEnd + 4 + length).ToArray());
                buffer.RemoveRange(0, headEnd + 4 + length);
                Requests.Enqueue(request);
                var exchange = new FakeExchange(Interlocked.Increment(ref _requests) - 1, request, client, stream);
                await _handler(exchange);
                if (exchange.Closed) return;
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
        catch (IOException) { } // the client went away (a cancelled request)
        finally { client.Dispose(); }
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> marker)
    {
        for (var i = 0; i + marker.Length <= buffer.Count; i++)
        {
            var match = true;
            for (var k = 0; k < marker.Length && match; k++) match = buffer[i + k] == marker[k];
            if (match) return i;
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients) client.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}

/// <summary>One request the fake server received (<see cref="Index"/> counts from 0 over all connections) and its answer.</summary>
internal sealed class FakeExchange(int index, string request, TcpClient client, NetworkStream stream)
{
    public int Index { get; } = index;
    public string Request { get; } = request;
    public bool Closed { get; private set; }

    /// <summary>Writes the pieces one after the other, each flushed on its own.</summary>
    public async Task WriteAsync(params byte[][] pieces)
    {
        foreach (var piece in pieces)
        {
            await stream.WriteAsync(piece);
            await stream.FlushAsync();
        }
    }

    /// <summary>Writes the answer one byte at a time (many small TCP segments).</summary>
    public Task WriteBytewiseAsync(byte[] answer) => WriteAsync(answer.Select(b => new[] { b }).ToArray());

    /// <summary>Closes the connection after the answer (or instead of it).</summary>
    public void Close()
    {
        Closed = true;
        client.Client.Shutdown(SocketShutdown.Both);
        client.Dispose();
    }
}
