using System.Text;
using Sanmenxia.LoadTest;

namespace Sanmenxia.UnitTests.LoadTest;

/// <summary>
/// The load tester's raw HTTP/1.1 sender (issue 20 item 6) against a canned server on 127.0.0.1:0: the bytes it writes,
/// the answers it reads (Content-Length, chunked, split into single bytes, closed), keep-alive reuse and reconnects,
/// cancellation. Each wait is for an event the server signals, with a deadline; nothing sleeps.
/// </summary>
public sealed class RawHttpSenderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly byte[] ClockIn = "{\"temperature\":36.5,\"symptoms\":[]}"u8.ToArray();
    private const string Problem = "{\"type\":\"about:blank\",\"title\":\"Unprocessable\",\"status\":422,\"detail\":\"already applied today\"}";

    private static Task<(int Status, string? Body)> Post(RawHttpSender sender, bool wantBody = false, CancellationToken ct = default) =>
        sender.SendAsync(HttpMethod.Post, "api/residents/me/clock-in", "tok.en.sig", ClockIn, wantBody, ct, "run-c42").AsTask().WaitAsync(Deadline);

    private static Task<(int Status, string? Body)> Get(RawHttpSender sender, bool wantBody = false) =>
        sender.SendAsync(HttpMethod.Get, "api/residents/me/code", "tok.en.sig", null, wantBody, default).AsTask().WaitAsync(Deadline);

    private static string Chunked(params string[] chunks) =>
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
        + string.Concat(chunks.Select((c, i) => $"{Encoding.UTF8.GetByteCount(c):x}{(i == 1 ? ";ext=\"1\"" : "")}\r\n{c}\r\n")) + "0\r\n\r\n";

    [Fact]
    public async Task The_request_is_written_as_the_exact_bytes_of_an_HTTP_1_1_request()
    {
        await using var server = new FakeHttpServer(x => x.WriteAsync(FakeHttpServer.Answer(200, "{}")));
        using var sender = new RawHttpSender(server.BaseUrl);

        await Post(sender);
        await Get(sender);

        var host = server.BaseUrl.Authority;
        Assert.Equal([
            $"POST /api/residents/me/clock-in HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer tok.en.sig\r\nIdempotency-Key: run-c42\r\n"
                + $"Content-Type: application/json; charset=utf-8\r\nContent-Length: {ClockIn.Length}\r\n\r\n{{\"temperature\":36.5,\"symptoms\":[]}}",
            $"GET /api/residents/me/code HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer tok.en.sig\r\n\r\n",
        ], server.Requests.ToArray());
    }

    [Fact]
    public async Task Sequential_requests_reuse_one_keep_alive_connection()
    {
        await using var server = new FakeHttpServer(x => x.WriteAsync(FakeHttpServer.Answer(200, "{\"colour\":\"green\"}")));
        using var sender = new RawHttpSender(server.BaseUrl);

        for (var i = 0; i < 5; i++) Assert.Equal((200, null), await Post(sender));

        Assert.Equal(5, server.Requests.Count);
        Assert.Equal(1, server.Accepts);
        Assert.Equal(1, sender.ConnectionsOpened);
        Assert.Equal(1, sender.IdleConnections);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_content_length_body_is_skipped_unless_asked_for_and_returned_when_asked(int maxBytesPerRead)
    {
        await using var server = new FakeHttpServer(x => x.WriteAsync(FakeHttpServer.Answer(200, "{\"colour\":\"绿\"}")));
        using var sender = new RawHttpSender(server.BaseUrl, receiveBuffer: 16, maxBytesPerRead: maxBytesPerRead);

        Assert.Equal((200, null), await Get(sender));
        Assert.Equal((200, "{\"colour\":\"绿\"}"), await Get(sender, wantBody: true));
        Assert.Equal((200, null), await Get(sender));
        Assert.Equal(1, server.Accepts); // each body was read to its end: the connection stayed in step
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_chunked_body_of_several_chunks_with_an_extension_is_read_to_its_end(int maxBytesPerRead)
    {
        var answer = Encoding.UTF8.GetBytes(Chunked("{\"colour\":", "\"yellow\",", "\"days\":7}"));
        await using var server = new FakeHttpServer(x => x.WriteAsync(answer));
        using var sender = new RawHttpSender(server.BaseUrl, receiveBuffer: 16, maxBytesPerRead: maxBytesPerRead);

        Assert.Equal((200, null), await Get(sender));
        Assert.Equal((200, "{\"colour\":\"yellow\",\"days\":7}"), await Get(sender, wantBody: true));
        Assert.Equal(1, server.Accepts);
    }

    [Fact]
    public async Task A_4xx_problem_body_is_returned_without_being_asked_for()
    {
        var chunkedProblem = Encoding.UTF8.GetBytes(Chunked(Problem[..40], Problem[40..]).Replace("200 OK", "422 Unprocessable Entity"));
        await using var server = new FakeHttpServer(x => x.WriteAsync(x.Index == 0 ? FakeHttpServer.Answer(422, Problem) : chunkedProblem));
        using var sender = new RawHttpSender(server.BaseUrl);

        Assert.Equal((422, Problem), await Post(sender));
        Assert.Equal((422, Problem), await Post(sender));
    }

    [Fact]
    public async Task An_answer_written_and_read_one_byte_at_a_time_is_parsed_and_the_connection_stays_usable()
    {
        var chunkedProblem = Encoding.UTF8.GetBytes(Chunked(Problem[..30], Problem[30..70], Problem[70..]).Replace("200 OK", "400 Bad Request"));
        await using var server = new FakeHttpServer(x => x.Index switch
        {
            0 => x.WriteBytewiseAsync(chunkedProblem),
            1 => x.WriteBytewiseAsync(FakeHttpServer.Answer(201, "{\"id\":\"t-1\"}")),
            _ => x.WriteAsync(FakeHttpServer.Answer(200, "{}")),
        });
        // One-byte writes leave as single segments, but the kernel may hand several to one receive: the sender is also
        // told to take at most one byte per receive, so every line end, chunk size and body is met in pieces.
        using var sender = new RawHttpSender(server.BaseUrl, receiveBuffer: 16, maxBytesPerRead: 1);

        Assert.Equal((400, Problem), await Post(sender));
        Assert.Equal((201, "{\"id\":\"t-1\"}"), await Post(sender, wantBody: true));
        Assert.Equal((200, null), await Post(sender));
        Assert.Equal(1, server.Accepts);
    }

    [Fact]
    public async Task Connection_close_from_the_server_makes_the_next_request_open_a_new_connection()
    {
        await using var server = new FakeHttpServer(async x =>
        {
            await x.WriteAsync(FakeHttpServer.Answer(200, "{}", x.Index == 0 ? "Connection: close\r\n" : ""));
            if (x.Index == 0) x.Close();
        });
        using var sender = new RawHttpSender(server.BaseUrl);

        Assert.Equal((200, null), await Post(sender));
        Assert.Equal(0, sender.IdleConnections); // not put back
        Assert.Equal((200, null), await Post(sender));
        Assert.Equal((200, null), await Post(sender));

        Assert.Equal(2, server.Accepts);
        Assert.Equal(2, sender.ConnectionsOpened);
        Assert.Equal(0, sender.Resent);
    }

    [Fact]
    public async Task A_body_without_length_or_chunks_runs_to_the_close_and_the_connection_is_not_reused()
    {
        await using var server = new FakeHttpServer(async x =>
        {
            await x.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n\r\n{\"to\":"), Encoding.ASCII.GetBytes("\"close\"}"));
            x.Close();
        });
        using var sender = new RawHttpSender(server.BaseUrl);

        Assert.Equal((200, "{\"to\":\"close\"}"), await Get(sender, wantBody: true));
        Assert.Equal((200, null), await Get(sender));
        Assert.Equal(2, server.Accepts);
    }

    [Fact]
    public async Task An_idle_connection_the_server_closed_is_replaced_and_the_request_sent_once_more()
    {
        var firstClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeHttpServer(async x =>
        {
            await x.WriteAsync(FakeHttpServer.Answer(200, "{}")); // keep-alive, as far as the answer says …
            if (x.Index == 0)
            {
                x.Close();                                          // … but then its idle timeout closes it
                firstClosed.SetResult();
            }
        });
        using var sender = new RawHttpSender(server.BaseUrl, checkIdleAfter: Timeout.InfiniteTimeSpan); // no check before reuse: the close is met

        Assert.Equal((200, null), await Post(sender));
        await firstClosed.Task.WaitAsync(Deadline);
        Assert.Equal((200, null), await Post(sender));

        Assert.Equal(1, sender.Resent);
        Assert.Equal(0, sender.DroppedIdle);
        Assert.Equal(2, server.Accepts);
        Assert.Equal(2, server.Requests.Count); // the second request reached the server once: on the new connection
    }

    [Fact]
    public async Task An_idle_connection_the_server_closed_is_found_closed_before_reuse_when_checked()
    {
        var firstClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeHttpServer(async x =>
        {
            await x.WriteAsync(FakeHttpServer.Answer(200, "{}"));
            if (x.Index == 0)
            {
                x.Close();
                firstClosed.SetResult();
            }
        });
        using var sender = new RawHttpSender(server.BaseUrl, checkIdleAfter: TimeSpan.Zero); // check every reuse

        Assert.Equal((200, null), await Post(sender));
        await firstClosed.Task.WaitAsync(Deadline);
        Assert.Equal((200, null), await Post(sender));
        Assert.Equal((200, null), await Post(sender)); // the new connection is open: checked and reused

        Assert.Equal(1, sender.DroppedIdle);
        Assert.Equal(0, sender.Resent);
        Assert.Equal(2, server.Accepts);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_connection_closed_in_the_middle_of_an_answer_is_an_error_and_the_request_is_not_sent_again()
    {
        await using var server = new FakeHttpServer(async x =>
        {
            if (x.Index != 1) await x.WriteAsync(FakeHttpServer.Answer(200, "{}"));
            else
            {
                await x.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{\"half\":"));
                x.Close();
            }
        });
        using var sender = new RawHttpSender(server.BaseUrl);

        Assert.Equal((200, null), await Post(sender));
        var error = await Assert.ThrowsAsync<RawHttpException>(() => Post(sender));
        Assert.Equal(RawHttpError.ClosedMidResponse, error.Kind);
        Assert.Equal(0, sender.Resent);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("RawHttpException:ClosedMidResponse", BoundedRunner.ErrorKind(error));

        Assert.Equal((200, null), await Post(sender)); // the broken connection was dropped: a fresh one
        Assert.Equal(2, server.Accepts);
    }

    [Fact]
    public async Task A_fresh_connection_closed_before_any_answer_is_an_error_not_a_resend()
    {
        await using var server = new FakeHttpServer(x =>
        {
            x.Close();
            return Task.CompletedTask;
        });
        using var sender = new RawHttpSender(server.BaseUrl);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Post(sender));
        Assert.True(error is RawHttpException { Kind: RawHttpError.ClosedBeforeResponse } or System.Net.Sockets.SocketException, error.ToString());
        Assert.Equal(0, sender.Resent);
        Assert.Single(server.Requests);
        Assert.Equal(1, server.Accepts);
    }

    [Fact]
    public async Task A_request_the_server_never_answers_ends_with_its_cancellation_token_and_its_connection_is_dropped()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeHttpServer(async x =>
        {
            if (x.Index == 0)
            {
                received.SetResult();
                await release.Task; // no answer
            }
            await x.WriteAsync(FakeHttpServer.Answer(200, "{}"));
        });
        using var sender = new RawHttpSender(server.BaseUrl);
        using var cts = new CancellationTokenSource();

        var hung = Post(sender, ct: cts.Token);
        await received.Task.WaitAsync(Deadline);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hung);

        Assert.Equal((200, null), await Post(sender));
        Assert.Equal(2, server.Accepts); // the cancelled connection was not put back
        release.SetResult();
    }

    [Fact]
    public async Task Requests_in_flight_together_get_a_connection_each_and_the_pool_keeps_them_for_the_next_round()
    {
        const int inFlight = 8;
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeHttpServer(async x =>
        {
            if (x.Index < inFlight)
            {
                if (Interlocked.Increment(ref arrived) == inFlight) all.SetResult();
                await all.Task; // every answer waits until all eight are outstanding at once
            }
            await x.WriteAsync(FakeHttpServer.Answer(200, "{}"));
        });
        using var sender = new RawHttpSender(server.BaseUrl);

        var first = await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Post(sender)));
        Assert.Equal(inFlight, sender.IdleConnections);
        var second = await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Post(sender)));

        Assert.All(first.Concat(second), r => Assert.Equal(200, r.Status));
        Assert.Equal(inFlight, server.Accepts);
        Assert.Equal(inFlight, sender.ConnectionsOpened);
        Assert.Equal(2 * inFlight, server.Requests.Count);
    }

    [Theory]
    [InlineData("http://10.0.0.1:5080/")]
    [InlineData("http://example.com/")]
    [InlineData("http://192.168.1.20:5080/")]
    [InlineData("https://127.0.0.1:5081/")]
    public void Anything_but_plain_http_to_loopback_is_refused(string url) =>
        Assert.Throws<ArgumentException>(() => new RawHttpSender(new Uri(url)));

    [Fact]
    public async Task A_header_value_with_a_line_break_is_refused_before_anything_is_sent()
    {
        await using var server = new FakeHttpServer(x => x.WriteAsync(FakeHttpServer.Answer(200, "{}")));
        using var sender = new RawHttpSender(server.BaseUrl);

        await Assert.ThrowsAsync<ArgumentException>(() => sender.SendAsync(HttpMethod.Get, "api/residents/me/code", "tok\r\nX-Evil: 1", null, false, default).AsTask());
        Assert.Equal((200, null), await Get(sender));
        Assert.Single(server.Requests);
    }

    [Fact]
    public void The_sender_option_defaults_to_raw_keeps_httpclient_and_refuses_others()
    {
        Assert.Equal("raw", LoadTestOptions.Parse([]).Sender);
        Assert.Equal("httpclient", LoadTestOptions.Parse(["--sender", "httpclient"]).Sender);
        Assert.Throws<ArgumentException>(() => LoadTestOptions.Parse(["--sender", "curl"]));
        Assert.Throws<ArgumentException>(() => LoadTestOptions.Parse(["--base-url", "https://127.0.0.1:5081"]));
        Assert.Equal("httpclient", LoadTestOptions.Parse(["--base-url", "https://127.0.0.1:5081", "--sender", "httpclient"]).Sender);
    }
}
