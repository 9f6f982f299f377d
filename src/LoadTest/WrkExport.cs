using System.Text;

namespace Sanmenxia.LoadTest;

/// <summary>
/// The clock-in phase for wrk, an independent load generator (issue 20: a cross-check of the load tester's figures):
/// requests.tsv holds one clock-in per line (pre-minted token, Idempotency-Key, JSON body, tab-separated) and
/// clockin.lua gives each wrk thread every n-th line, formats them once in init() and sends each once. A thread that
/// runs out of lines stops and says so: wrk still divides by its whole -d, so pick -d shorter than the lines last
/// (docs/benchmarks.md, "Cross-check with wrk").
/// </summary>
public static class WrkExport
{
    public const string ScriptName = "clockin.lua";
    public const string RequestsName = "requests.tsv";

    /// <summary>Writes both files into <paramref name="dir"/>; returns the folder.</summary>
    public static string Write(string dir, int count, Func<int, string> token, Func<int, string> idempotencyKey, Func<int, byte[]> body)
    {
        Directory.CreateDirectory(dir);
        using (var writer = new StreamWriter(Path.Combine(dir, RequestsName), false, new UTF8Encoding(false)))
        {
            writer.NewLine = "\n";
            for (var i = 0; i < count; i++) writer.WriteLine(Line(token(i), idempotencyKey(i), body(i)));
        }
        File.WriteAllText(Path.Combine(dir, ScriptName), Script, new UTF8Encoding(false));
        return dir;
    }

    public static string Line(string token, string idempotencyKey, byte[] body)
    {
        var json = Encoding.UTF8.GetString(body);
        if (json.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0 || token.Contains('\t') || idempotencyKey.Contains('\t'))
            throw new ArgumentException("a wrk request line may hold no tab or line break");
        return $"{token}\t{idempotencyKey}\t{json}";
    }

    public const string Script = """
        -- Written by ./sanmenxia loadtest --export-wrk: the clock-in phase's requests, each sent once.
        --   wrk -t2 -c64 -d10s --latency -s DIR/clockin.lua http://127.0.0.1:5080 -- DIR/requests.tsv 2
        -- (the arguments after -- are the requests file and wrk's -t, so each thread takes every n-th line)
        local threads = {}
        local counter = 0

        function setup(thread)
          thread:set("id", counter)
          counter = counter + 1
          table.insert(threads, thread)
        end

        function init(args)
          local file, nthreads = args[1], tonumber(args[2] or "1")
          lines = {}
          local i = 0
          for line in io.lines(file) do
            if i % nthreads == id then
              local token, key, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
              lines[#lines + 1] = wrk.format("POST", "/api/residents/me/clock-in", {
                ["Authorization"] = "Bearer " .. token,
                ["Idempotency-Key"] = key,
                ["Content-Type"] = "application/json; charset=utf-8",
              }, body)
            end
            i = i + 1
          end
          nextLine, answered, failed, exhausted, lineCount = 1, 0, 0, 0, #lines
        end

        function request()
          local r = lines[nextLine]
          if r == nil then
            exhausted = 1
            wrk.thread:stop()
            return lines[#lines]
          end
          nextLine = nextLine + 1
          return r
        end

        function response(status, headers, body)
          answered = answered + 1
          if status < 200 or status >= 300 then failed = failed + 1 end
        end

        function done(summary, latency, requests)
          local answered, failed, exhausted, total = 0, 0, 0, 0
          for _, t in ipairs(threads) do
            answered = answered + t:get("answered")
            failed = failed + t:get("failed")
            exhausted = exhausted + t:get("exhausted")
            total = total + t:get("lineCount")
          end
          io.write(string.format("clock-ins: %d of %d lines answered, %d not 2xx, %.1f/s over %.2f s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
            answered, total, failed, summary.requests / (summary.duration / 1e6), summary.duration / 1e6,
            latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
          if exhausted > 0 then
            io.write(string.format("warning: %d thread(s) ran out of lines before -d ended: the rate above is diluted, use a shorter -d\n", exhausted))
          end
        end
        """;
}
