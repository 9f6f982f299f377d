using System.Globalization;

namespace Sanmenxia.Chaos;

/// <summary>Which failures the drill injects, in this order when several are chosen.</summary>
[Flags]
public enum DrillModes
{
    None = 0,
    /// <summary>SIGKILL one silo mid-run; the survivors must take over its grains and reminders.</summary>
    Kill = 1,
    /// <summary>Stop PostgreSQL for a few seconds and start it again (pg_ctl as the postgres user).</summary>
    Postgres = 2,
    /// <summary>Rolling restart of every silo (./sanmenxia restart): zero failed requests expected.</summary>
    Rolling = 4,
    /// <summary>SIGSTOP one silo (a hung process: its sockets stay open), SIGCONT it after the detection window.</summary>
    Hang = 8,
    /// <summary>--all: kill, PostgreSQL, rolling restart (add --hang for the hung silo too).</summary>
    All = Kill | Postgres | Rolling,
}

/// <summary>Command-line options of the drill (./sanmenxia chaos passes the system's URL, data folder and script).</summary>
public sealed class DrillOptions
{
    public string BaseUrl { get; set; } = "http://127.0.0.1:5180";
    public string DataDir { get; set; } = ".data/chaos";
    /// <summary>The ./sanmenxia script, used to scale, restart silos and stop/start PostgreSQL.</summary>
    public string Script { get; set; } = "./sanmenxia";
    public DrillModes Modes { get; set; } = DrillModes.Kill;
    public int Silos { get; set; } = 3;
    /// <summary>Residents under load (each adds needs and clocks in).</summary>
    public int Residents { get; set; } = 120;
    /// <summary>Residents who apply just before the failure and never clock in: only their reminders change their code.</summary>
    public int Cohort { get; set; } = 45;
    public int Workers { get; set; } = 12;
    /// <summary>Target requests per second over all workers (the load is paced, not a flood).</summary>
    public int Rate { get; set; } = 120;
    /// <summary>Steady load before each injected failure.</summary>
    public TimeSpan Before { get; set; } = TimeSpan.FromSeconds(8);
    /// <summary>Steady load after the system has recovered from each failure.</summary>
    public TimeSpan After { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long PostgreSQL stays down in the --postgres phase.</summary>
    public TimeSpan PostgresDown { get; set; } = TimeSpan.FromSeconds(6);
    /// <summary>Writes must succeed again within this time after a PostgreSQL outage ends (and bounds the drill's waits).</summary>
    public TimeSpan RecoveryLimit { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Goal for a crashed (SIGKILLed) silo: its grains served again, in-flight requests included, within this time.</summary>
    public TimeSpan KillLimit { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Goal for a hung (SIGSTOPped) silo: its grains served again, in-flight requests included, within this time.</summary>
    public TimeSpan HangLimit { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a hung silo stays stopped before SIGCONT (it learns then that it was declared dead, and exits).</summary>
    public TimeSpan HangFor { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>--steady S: S seconds of load with no failure first (false positives of failure detection); 0 = none.</summary>
    public TimeSpan Steady { get; set; } = TimeSpan.Zero;
    /// <summary>Per-request timeout of the load's HTTP client.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>Silo index to kill or hang; -1 = one of the running silos at random.</summary>
    public int KillIndex { get; set; } = -1;

    public static DrillOptions Parse(string[] args)
    {
        var o = new DrillOptions();
        var modes = DrillModes.None;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            TimeSpan Seconds() => TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture));
            switch (args[i])
            {
                case "--base-url": o.BaseUrl = Next().TrimEnd('/'); break;
                case "--data": o.DataDir = Next(); break;
                case "--script": o.Script = Next(); break;
                case "--kill": modes |= DrillModes.Kill; break;
                case "--postgres": modes |= DrillModes.Postgres; break;
                case "--rolling": modes |= DrillModes.Rolling; break;
                case "--hang": modes |= DrillModes.Hang; break;
                case "--kill-limit": o.KillLimit = Seconds(); break;
                case "--hang-limit": o.HangLimit = Seconds(); break;
                case "--hang-for": o.HangFor = Seconds(); break;
                case "--steady": o.Steady = Seconds(); break;
                case "--all": modes |= DrillModes.All; break;
                case "--silos": o.Silos = Int(); break;
                case "--residents": o.Residents = Int(); break;
                case "--cohort": o.Cohort = Int(); break;
                case "--workers": o.Workers = Int(); break;
                case "--rate": o.Rate = Int(); break;
                case "--before": o.Before = Seconds(); break;
                case "--after": o.After = Seconds(); break;
                case "--pg-down": o.PostgresDown = Seconds(); break;
                case "--recovery-limit": o.RecoveryLimit = Seconds(); break;
                case "--kill-index": o.KillIndex = Int(); break;
                case "--help" or "-h": throw new HelpRequested();
                default: throw new ArgumentException($"unknown option {args[i]} (--help lists them)");
            }
        }
        o.Modes = modes == DrillModes.None && o.Steady == TimeSpan.Zero ? DrillModes.Kill : modes;
        if (o.Silos < 2) throw new ArgumentException("--silos must be at least 2 (a failover needs a survivor)");
        if (o.Residents < 1 || o.Workers < 1 || o.Rate < 1 || o.Cohort < 0) throw new ArgumentException("--residents, --workers and --rate must be positive");
        if (o.Residents + o.Cohort > 900) throw new ArgumentException("--residents + --cohort must be at most 900 (one import, one run block)");
        return o;
    }

    public const string Help = """
        Sanmenxia failover drill (./sanmenxia chaos [options]). Runs a paced HTTP load of residents adding needs and
        clocking in, injects failures, and checks from the database rows that every acknowledged write is stored, that
        no write ran after its client was told it failed, that reminders fired with no caller, and that counts agree.
          --kill            SIGKILL one silo mid-run (default when no mode is given)
          --hang            SIGSTOP one silo mid-run (a hung process), SIGCONT it after --hang-for seconds (default 15)
          --postgres        stop PostgreSQL for --pg-down seconds under load, then start it again
          --rolling         rolling restart of every silo (./sanmenxia restart) under load: zero failures expected
          --all             kill, postgres and rolling, in that order (with --hang: the hung silo after the kill)
          --silos N         cluster size for the drill (default 3)
          --residents N     residents under load (default 120);  --cohort N  reminder cohort (default 45)
          --workers N       concurrent callers (default 12);      --rate N    requests/s over all workers (default 120)
          --before S / --after S   steady load before each failure / after recovery (default 8 / 10 s)
          --pg-down S       how long PostgreSQL stays down (default 6 s)
          --kill-limit S    pass limit: a crashed silo's grains served again (in-flight included) within S s (default 5)
          --hang-limit S    pass limit: a hung silo's grains served again (in-flight included) within S s (default 10)
          --recovery-limit S  writes must succeed again within S seconds of a PostgreSQL outage (default 30)
          --steady S        first S seconds of load with no failure: counts silos declared dead and suspicions logged
          --kill-index N    which silo to kill or hang (default: one of the running silos at random)
        Exit code 0 = PASS, 1 = FAIL, 2 = the drill could not run.
        """;
}

public sealed class HelpRequested : Exception;
