using System.Globalization;
using System.Net;

namespace Sanmenxia.LoadTest;

/// <summary>Command-line settings. Every loop of the tool is bounded by a count and by <see cref="MaxSeconds"/>.</summary>
public sealed class LoadTestOptions
{
    public const int CityPopulation = 2_630_000;
    public static readonly string[] AllPhases = ["pgbench", "register", "apply", "clockin", "code", "scan", "village", "sweep", "tickets"];
    /// <summary>Phases run when --phases is not given: the sweep needs the simulation clock, and tickets (minutes at full size) are asked for by name.</summary>
    public static readonly string[] DefaultPhases = ["pgbench", "register", "apply", "clockin", "code", "scan", "village"];

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1:5080");
    public int Residents { get; private set; } = CityPopulation;
    /// <summary>Villages of the synthetic tree; null = what the system holds (or the preset when it holds none).</summary>
    public int? Villages { get; private set; }
    public int Seed { get; private set; } = 2020;
    /// <summary>Disjoint populations for the same seed (0-9): ID sequence numbers, phones and household references differ.</summary>
    public int Cohort { get; private set; }
    public int Concurrency { get; private set; } = 256;
    /// <summary>Open loop: requests per second of the resident phases (apply, clockin, code); null = closed loop at <see cref="Concurrency"/>.</summary>
    public double? Rate { get; private set; }
    /// <summary>Open loop: requests outstanding at most; one due beyond it is dropped and counted, not sent late.</summary>
    public int MaxInFlight { get; private set; } = 4_096;
    /// <summary>Write the clock-in phase's requests for wrk into this folder instead of sending them (docs/benchmarks.md).</summary>
    public string? ExportWrk { get; private set; }
    /// <summary>Sender of the hot resident requests (apply, clockin, code): "raw" (<see cref="RawHttpSender"/>) or "httpclient" (<see cref="ApiClient.SendFastAsync"/>).</summary>
    public string Sender { get; private set; } = "raw";
    public int ImportChunk { get; private set; } = 20_000;
    public int ImportParallel { get; private set; } = 4;
    public double ApplyShare { get; private set; } = 1.0;
    public double ClockInShare { get; private set; } = 1.0;
    /// <summary>Share of the clock-in order skipped first, so a second run clocks in residents the first did not (cold, like the first).</summary>
    public double ClockInSkip { get; private set; }
    public double CodeReadShare { get; private set; } = 0.5;
    public double FeverShare { get; private set; } = 0.001;
    public int VillageStaff { get; private set; } = 20;
    public int VillageQueries { get; private set; } = 2_000;
    /// <summary>Checkpoint scans (by ID number) in the scan phase; default: one per resident, at most 200,000.</summary>
    public int? Scans { get; private set; }
    public int MaxSeconds { get; private set; } = 1_200;
    public int PgBenchSeconds { get; private set; } = 20;
    public int PgBenchClients { get; private set; } = 16;
    /// <summary>Phase "tickets": hotline calls, the lead burst, the share of the burst taken through to closed, queue pages.</summary>
    public int Tickets { get; private set; } = 15_000;
    public int TicketBurst { get; private set; } = 100_000;
    public double TicketTransitionShare { get; private set; } = 0.2;
    public int TicketQueueQueries { get; private set; } = 2_000;
    public bool GenerateRegions { get; private set; } = true;
    public bool Smoke { get; private set; }
    public HashSet<string> Phases { get; private set; } = new(DefaultPhases);
    /// <summary>Deadlines:SpreadAfterMidnight of the system (simulated time), for the sweep's due times.</summary>
    public TimeSpan SweepSpread { get; private set; } = TimeSpan.FromMinutes(60);
    public string? Out { get; private set; }
    public string? DataDir { get; private set; }
    /// <summary>Extra processes to sample besides those in .data/run and PostgreSQL (name=pid).</summary>
    public List<(string Name, int Pid)> Watch { get; } = [];

    public static string Usage => """
        Usage: ./sanmenxia loadtest [options]      (or dotnet run -c Release --project src/LoadTest -- [options])

          --smoke                 preset: 20,000 residents, 200 villages if the system holds no tree, short phases
          --residents N           residents to simulate (default 2,630,000)
          --villages N            villages of the synthetic tree (default: as many as the system holds)
          --seed N                seed of the region tree and the population (default 2020)
          --cohort K              0-9: a population disjoint from other cohorts of the same seed (default 0)
          --concurrency N         closed loop: requests in flight in the day profile (default 256)
          --rate N                open loop for apply, clockin and code: N requests per second at fixed intended send
                                  times, latency measured from the intended time (no coordinated omission); default:
                                  closed loop at --concurrency
          --max-in-flight N       open loop: requests outstanding at most (default 4,096); a request due beyond it is
                                  dropped and counted as late/dropped, never sent late
          --export-wrk DIR        with phase clockin: write DIR/clockin.lua and DIR/requests.tsv (pre-minted tokens,
                                  bodies, Idempotency-Keys) for wrk instead of sending the clock-ins (docs/benchmarks.md)
          --sender raw|httpclient how apply, clockin and code requests are sent: raw = the load tester's own lean
                                  HTTP/1.1 sender (default; less of the tester's CPU per request), httpclient =
                                  .NET's HttpClient (the old path, for cross-checks); other phases always use HttpClient
          --import-chunk N        CSV rows per import request (default 20,000)
          --import-parallel N     import requests in flight (default 4)
          --apply-share X         share of residents who apply for a code (default 1.0)
          --clockin-share X       share of applied residents who clock in (default 1.0)
          --clockin-skip X        share of the clock-in order skipped first (default 0): a second run with
                                  --clockin-skip = the first's share clocks in other, still cold, residents
          --code-read-share X     share of residents who read their code (default 0.5)
          --village-staff N       village staff accounts to create and use (default 20)
          --village-queries N     village resident-list queries (default 2,000)
          --scans N               checkpoint scans by ID number (default: one per resident, at most 200,000)
          --max-seconds N         deadline of each phase (default 1,200)
          --pgbench-seconds N     pgbench baseline length, 0 = skip (default 20)
          --pgbench-clients N     pgbench clients (default 16)
          --phases a,b,...        subset of: pgbench,register,apply,clockin,code,scan,village,sweep,tickets
                                  (default all but sweep, which needs SANMENXIA_SIMULATION_SPEED, and tickets; see docs/benchmarks.md)
          --tickets N             phase tickets: hotline calls to record (default 15,000)
          --ticket-burst N        phase tickets: lead reports in the burst (default 100,000)
          --ticket-transition-share X  share of the burst taken accept→dispatch→handle→feedback→close (default 0.2)
          --ticket-queue-queries N     queue pages to read (default 2,000)
          --sweep-spread MIN      the system's Deadlines:SpreadAfterMidnight in minutes (default 60)
          --no-generate-regions   do not call POST /api/admin/regions/generate first
          --base-url URL          API base, loopback only (default http://127.0.0.1:5080)
          --out PATH              JSON result (a .md table is written next to it)
          --watch NAME=PID        also sample this process (e.g. an API started by hand)
          --data DIR              the system's data folder with secrets.env (default $SANMENXIA_DATA or ./.data)
        """;

    public static LoadTestOptions Parse(string[] args)
    {
        var o = new LoadTestOptions();
        // --smoke first, so explicit options given with it still win.
        if (args.Contains("--smoke"))
        {
            o.Smoke = true;
            o.Residents = 20_000;
            o.ImportChunk = 2_000;
            o.ImportParallel = 4;
            o.CodeReadShare = 1.0;
            o.VillageStaff = 10;
            o.VillageQueries = 500;
            o.Scans = 3_000;
            o.MaxSeconds = 60;
            o.PgBenchSeconds = 10;
            o.Tickets = 300;
            o.TicketBurst = 1_000;
            o.TicketQueueQueries = 200;
        }
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            int Int() => int.Parse(Next().Replace(",", "").Replace("_", ""), CultureInfo.InvariantCulture);
            double Share()
            {
                var v = double.Parse(Next(), CultureInfo.InvariantCulture);
                return v is >= 0 and <= 1 ? v : throw new ArgumentException($"{a} must be between 0 and 1");
            }
            switch (a)
            {
                case "--smoke": break;
                case "--residents": o.Residents = Int(); break;
                case "--villages": o.Villages = Int(); break;
                case "--seed": o.Seed = Int(); break;
                case "--cohort": o.Cohort = Int(); break;
                case "--concurrency": o.Concurrency = Int(); break;
                case "--rate": o.Rate = double.Parse(Next().Replace(",", "").Replace("_", ""), CultureInfo.InvariantCulture); break;
                case "--max-in-flight": o.MaxInFlight = Int(); break;
                case "--export-wrk": o.ExportWrk = Next(); break;
                case "--sender": o.Sender = Next(); break;
                case "--import-chunk": o.ImportChunk = Int(); break;
                case "--import-parallel": o.ImportParallel = Int(); break;
                case "--apply-share": o.ApplyShare = Share(); break;
                case "--clockin-share": o.ClockInShare = Share(); break;
                case "--clockin-skip": o.ClockInSkip = Share(); break;
                case "--code-read-share": o.CodeReadShare = Share(); break;
                case "--fever-share": o.FeverShare = Share(); break;
                case "--village-staff": o.VillageStaff = Int(); break;
                case "--village-queries": o.VillageQueries = Int(); break;
                case "--scans": o.Scans = Int(); break;
                case "--max-seconds": o.MaxSeconds = Int(); break;
                case "--pgbench-seconds": o.PgBenchSeconds = Int(); break;
                case "--pgbench-clients": o.PgBenchClients = Int(); break;
                case "--tickets": o.Tickets = Int(); break;
                case "--ticket-burst": o.TicketBurst = Int(); break;
                case "--ticket-transition-share": o.TicketTransitionShare = Share(); break;
                case "--ticket-queue-queries": o.TicketQueueQueries = Int(); break;
                case "--sweep-spread": o.SweepSpread = TimeSpan.FromMinutes(Int()); break;
                case "--phases":
                    var phases = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var unknown = phases.Except(AllPhases).ToList();
                    if (unknown.Count > 0) throw new ArgumentException($"unknown phase(s) {string.Join(", ", unknown)}; known: {string.Join(",", AllPhases)}");
                    o.Phases = new HashSet<string>(phases);
                    break;
                case "--no-generate-regions": o.GenerateRegions = false; break;
                case "--base-url": o.BaseUrl = new Uri(Next().TrimEnd('/') + "/"); break;
                case "--out": o.Out = Next(); break;
                case "--data": o.DataDir = Next(); break;
                case "--watch":
                    var spec = Next().Split('=', 2);
                    o.Watch.Add(spec.Length == 2 && int.TryParse(spec[1], out var pid) ? (spec[0], pid) : throw new ArgumentException("--watch takes name=pid"));
                    break;
                default: throw new ArgumentException($"unknown option {a}");
            }
        }
        o.Validate();
        return o;
    }

    private void Validate()
    {
        if (!IsLoopback(BaseUrl)) throw new ArgumentException($"--base-url {BaseUrl} is not a loopback address: the load tester only runs against this machine.");
        if (Residents is < 1 or > 20_000_000) throw new ArgumentException("--residents must be 1..20,000,000");
        if (Villages is < 6 or > 20_000) throw new ArgumentException("--villages must be 6..20,000");
        if (Cohort is < 0 or > 9) throw new ArgumentException("--cohort must be 0..9");
        if (Concurrency is < 1 or > 4_096) throw new ArgumentException("--concurrency must be 1..4096");
        if (Rate is { } rate && (double.IsNaN(rate) || rate is < 1 or > 100_000)) throw new ArgumentException("--rate must be 1..100,000 requests per second");
        if (MaxInFlight is < 1 or > 65_536) throw new ArgumentException("--max-in-flight must be 1..65,536");
        if (ExportWrk is not null && !Phases.Contains("clockin")) throw new ArgumentException("--export-wrk needs the clockin phase (--phases ...,clockin)");
        if (Sender is not ("raw" or "httpclient")) throw new ArgumentException("--sender must be raw or httpclient");
        if (Sender == "raw" && BaseUrl.Scheme != Uri.UriSchemeHttp) throw new ArgumentException("--sender raw speaks plain http only: use --sender httpclient for an https --base-url");
        if (ImportChunk is < 100 or > 200_000) throw new ArgumentException("--import-chunk must be 100..200,000 (64 MiB per request)");
        if (ImportParallel is < 1 or > 64) throw new ArgumentException("--import-parallel must be 1..64");
        if (MaxSeconds < 1) throw new ArgumentException("--max-seconds must be positive");
        if (PgBenchSeconds < 0 || PgBenchClients < 1) throw new ArgumentException("--pgbench-seconds ≥ 0, --pgbench-clients ≥ 1");
        if (VillageStaff < 1 || VillageQueries < 0) throw new ArgumentException("--village-staff ≥ 1, --village-queries ≥ 0");
        if (Tickets < 0 || TicketBurst < 0 || TicketQueueQueries < 0) throw new ArgumentException("--tickets, --ticket-burst, --ticket-queue-queries ≥ 0");
    }

    public static bool IsLoopback(Uri uri) =>
        uri.Scheme is "http" or "https"
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}
