namespace Sanmenxia.Platform.Options;

/// <summary>Settings of the day-close deadlines, section "Deadlines".</summary>
public sealed class DeadlineOptions
{
    public const string Section = "Deadlines";
    /// <summary>
    /// Villages' (and checkpoints' and regions') day rolls are spread over this (simulated) window after midnight, by a
    /// hash of the key, so 2,700 villages do not start their day close in the same second. Codes are evaluated from
    /// dates, so a read before the day roll still shows the right colour.
    /// </summary>
    public TimeSpan SpreadAfterMidnight { get; set; } = TimeSpan.FromMinutes(60);
    /// <summary>
    /// The day close's back-pressure: how many residents one silo closes at once, across all its villages
    /// (DayCloseThrottle). Each is an activation, a state read and, if the code changed colour, a write: enough in flight
    /// to fill the group commits, few enough that live requests are not queued behind the sweep.
    /// </summary>
    public int DayCloseInFlightPerSilo { get; set; } = 64;
    /// <summary>How often a village pushes its counts up the tree at most.</summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How often a village or region pushes changed counts to its parent at most. Shorter than the dashboards'
    /// interval, because a change climbs four levels (village → township → county → city) before the city's screen:
    /// measured with 1 s at every level, event → screen was p99 3.6 s; 250 ms keeps it under the 2 s goal.
    /// </summary>
    public TimeSpan UpwardInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>How often a region or village upserts today's row of the daily history at most.</summary>
    public TimeSpan HistoryInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often a village retries writing summaries whose write failed (a report is written before it is acknowledged).</summary>
    public TimeSpan VillageSaveInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How many of its children a region asks for their counts at once when it activates (ChildPuller). The pulls run
    /// after the activation, which answers at once with what it has; the rest of the children wait their turn instead
    /// of all activating together (after a restart the city's first call used to wake all 2,700 villages at once, and
    /// the roll-up calls timed out for 1–2 minutes: docs/dashboard.md, "Recovery").
    /// </summary>
    public int RollupPullsInFlight { get; set; } = 8;
    /// <summary>
    /// How many pulls of all the regions of one silo are out at once (RollupPullThrottle): each may activate a village
    /// that waits for its read (<see cref="VillageLoadsInFlightPerSilo"/>) and for its other reads (state, reminder): enough
    /// to keep the group commits full, few enough that the queue behind the reads stays short of the calls' timeout (with
    /// 16, a restart's tree woke at 20 villages a second on the loaded 2-core machine; docs/benchmarks.md, session 10).
    /// </summary>
    public int RollupPullsInFlightPerSilo { get; set; } = 128;
    /// <summary>How long a region waits before asking a child again whose pull failed; doubled at each further failure of that child, up to 30 s.</summary>
    public TimeSpan RollupPullRetry { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How many villages of one silo read their residents' rows at once when they activate (VillageLoadThrottle): about
    /// 1,000 rows each. Together with <see cref="RollupPullsInFlightPerSilo"/> this keeps a restart's re-activations from taking
    /// every pooled connection (40 a process) from live requests.
    /// </summary>
    public int VillageLoadsInFlightPerSilo { get; set; } = 16;
}
