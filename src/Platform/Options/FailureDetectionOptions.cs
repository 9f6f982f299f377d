namespace Sanmenxia.Platform.Options;

/// <summary>
/// How fast a crashed or hung silo is declared dead and its work moves elsewhere, section "Orleans:FailureDetection"
/// (environment: Orleans__FailureDetection__ProbeTimeout=00:00:01). Every value trades detection time against false
/// suspicions on a loaded machine; the chosen defaults and their measured cost are in docs/operations.md.
/// </summary>
public sealed class FailureDetectionOptions
{
    public const string Section = "Orleans:FailureDetection";

    /// <summary>Off: Orleans' own defaults (a dead silo is declared after ~10–30 s); on: the values below.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>How long a silo waits for a probe's answer (ClusterMembershipOptions.ProbeTimeout); probes go out at this period.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// The longest a probe may wait for its answer. Orleans (since 10.x) adapts each probe's timeout, and the period
    /// between probes, to the answer times it has seen (mean + a margin of their spread), between ProbeTimeout/2 and this
    /// bound, which it defaults to 4 × ProbeTimeout. On a loaded machine the spread is wide, the timeout climbs to that
    /// default, and MissedProbesLimit missed probes took ~13 s before a hung silo was suspected (docs/operations.md).
    /// Capping it bounds a hung silo's declaration at about MissedProbesLimit × MaxProbeTimeout plus the vote.
    /// </summary>
    public TimeSpan MaxProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Missed probes in a row before a silo suspects (votes against) the probed one.</summary>
    public int MissedProbesLimit { get; set; } = 3;
    /// <summary>Suspicions (votes) needed to declare a silo dead; with 3 silos, 2 = both survivors must agree.</summary>
    public int VotesForDeath { get; set; } = 2;
    /// <summary>A vote older than this no longer counts (a stale suspicion cannot combine with a fresh one).</summary>
    public TimeSpan DeathVoteExpiration { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>
    /// Whether a prober that is itself unhealthy (starved CPU, GC pauses) waits longer before suspecting others. On: a
    /// loaded machine suspects less often, but detects a hung silo later. Off by default (the 10 s goal for a hung silo).
    /// </summary>
    public bool ExtendProbeTimeoutWhenDegraded { get; set; }
    /// <summary>
    /// Whether a failed direct probe is retried through another silo before it counts (Orleans' indirect probes). On: fewer
    /// suspicions from a congested link, but each probe gets half the timeout and a hung silo was declared dead only after
    /// ~12.6 s on a loaded machine (docs/operations.md); off: direct probes only.
    /// </summary>
    public bool IndirectProbes { get; set; }
    /// <summary>How often a silo rewrites its I-am-alive time in the membership table (status pages, joining silos).</summary>
    public TimeSpan IAmAlivePublish { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How often a silo re-reads the membership table besides the changes it is told about.</summary>
    public TimeSpan TableRefresh { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// How often an API client re-reads the list of live gateways. A client keeps sending to a hung gateway (its socket is
    /// open) until the list no longer names it, so this bounds how long after the declaration its calls still go there.
    /// </summary>
    public TimeSpan GatewayListRefresh { get; set; } = TimeSpan.FromSeconds(1);
}
