using System.Globalization;

namespace Sanmenxia.Benchmarks;

/// <summary>
/// Benchmarks that need a real silo (not micro-benchmarks).
///   dotnet run -c Release --project src/Benchmarks -- reminders [--n 263000] [--spread-minutes 60] [--speed 10]
///       [--midnight-in 150] [--after-storm 30] [--max-seconds 900] [--max-rss-gb 16] [--label name] [--keep-rows] [--offsets grain|uniform]
/// See docs/reminders.md for what it measures and the figures.
///   dotnet run -c Release --project src/Benchmarks -- audit [--rows 10000000] [--queries 200] [--database sanmenxia_audit_bench]
///       [--data .data] [--keep] [--reuse]
/// The audit reader's queries at scale on a scratch database of the project's PostgreSQL (docs/benchmarks.md, Session 5).
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: Sanmenxia.Benchmarks reminders [--n N] [--spread-minutes M] [--speed S] [--midnight-in SECONDS] " +
                              "[--after-storm SECONDS] [--max-seconds SECONDS] [--max-rss-gb GB] [--label NAME] [--keep-rows] [--out DIR]");
            Console.WriteLine("       Sanmenxia.Benchmarks audit [--rows N] [--queries Q] [--database NAME] [--data DIR] [--keep] [--reuse]");
            return 1;
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument {args[i]}");
            var name = args[i][2..];
            if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) options[name] = args[++i];
            else options[name] = "true";
        }
        string Get(string name, string fallback) => options.TryGetValue(name, out var v) ? v : fallback;
        double D(string name, double fallback) => double.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        switch (args[0])
        {
            case "reminders":
                var settings = new ReminderBenchSettings
                {
                    Count = (int)D("n", 2_630_000),
                    SpreadMinutes = D("spread-minutes", 60),
                    Speed = D("speed", 10),
                    MidnightInSeconds = D("midnight-in", 150),
                    AfterStormSeconds = D("after-storm", 30),
                    MaxSeconds = D("max-seconds", 900),
                    MaxRssGb = D("max-rss-gb", 16),
                    KeepRows = Get("keep-rows", "false") == "true",
                    Label = Get("label", ""),
                    OutDir = Get("out", ""),
                    Offsets = Get("offsets", "grain"),
                };
                return await new RemindersBenchmark(settings).RunAsync();
            case "audit":
                return await new AuditBenchmark(new AuditBenchSettings((long)D("rows", 10_000_000), (int)D("queries", 200),
                    Get("database", "sanmenxia_audit_bench"), Get("data", Path.Combine(Directory.GetCurrentDirectory(), ".data")),
                    Get("keep", "false") == "true", Get("reuse", "false") == "true")).RunAsync();
            default:
                Console.Error.WriteLine($"unknown benchmark {args[0]}");
                return 1;
        }
    }
}
