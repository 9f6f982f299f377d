using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;
using Sanmenxia.Dashboard;

namespace Sanmenxia.Grains.Dashboard;

/// <summary>
/// Fans region updates out to every registered API process (GPSTracker's push-notifier pattern). One
/// activation per silo, reentrant, so region grains publish with a local call that only enqueues.
/// Per API process there is a mailbox holding the latest update of each region: one call at a time goes to
/// each process, carrying everything that arrived while the previous call was in flight (natural batching
/// under load, latest wins). A slow or hung process therefore holds up nobody else and its mailbox never
/// grows beyond one entry per region.
/// </summary>
/// <remarks>
/// <para>
/// Keyed by the silo's identity and placed locally, not a <c>[StatelessWorker]</c>: Orleans routes an external
/// client's <em>response</em> that enters the cluster through another silo's gateway by grain id, and a stateless
/// worker's id resolves to that gateway silo's own worker, which has no such call outstanding. The observer ran,
/// but the caller waited out the response timeout (10 s) before its next batch to that API process: 5–10 s
/// pushes whenever an API process was connected to the other silo's gateway only (Cluster/DashboardRecoveryTests).
/// A grain with one activation per key is found through the directory, so its responses arrive.
/// </para>
/// <para>
/// A region publishes only when it changes, so an update that does not arrive is not healed by a later one in a
/// quiet region: nothing here drops an update a live process has not received. A failed call puts its batch back
/// (newer updates win) and is retried; a process missing from the hub list (a list rebuilt after a silo failure
/// holds only the processes that renewed since) keeps collecting for <see cref="AbsenceGrace"/>; a process new to
/// this notifier gets what the notifier received since the process registered (or since the notifier was activated:
/// a silo failure also deactivates the notifiers whose directory entries the dead silo held).
/// </para>
/// </remarks>
[PreferLocalPlacement, Reentrant]
public sealed class DashboardNotifierGrain(ILogger<DashboardNotifierGrain> logger) : Grain, IDashboardNotifierGrain
{
    /// <summary>How often the list of API processes is re-read from the hub-list grain.</summary>
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a process that is missing from the list, or whose client the cluster reported gone, keeps its
    /// mailbox (collecting, not sending). Longer than an API process's renewal period (5 s), so a process that is
    /// still alive is back in the list before; one that really left is dropped after it.
    /// </summary>
    internal static readonly TimeSpan AbsenceGrace = TimeSpan.FromSeconds(30);

    /// <summary>Pause before a failed batch is sent again (a failed call has usually waited out its timeout already).</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long the latest update of each region is kept, to give a newly listed process what it missed.</summary>
    internal static readonly TimeSpan RecentWindow = TimeSpan.FromSeconds(60);

    /// <summary>The notifier of the silo a grain runs on (the key is that silo's identity; the activation is local).</summary>
    public static IDashboardNotifierGrain OnThisSilo(IGrainFactory grains, string runtimeIdentity) =>
        grains.GetGrain<IDashboardNotifierGrain>(runtimeIdentity);

    private readonly Dictionary<string, Mailbox> _mailboxes = new(StringComparer.Ordinal);
    /// <summary>The latest update of each region published here within <see cref="RecentWindow"/>.</summary>
    private readonly Dictionary<string, RegionUpdate> _recent = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _activatedAt = DateTimeOffset.UtcNow;
    private long _listVersion = -1;
    private bool _refreshing;

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        await RefreshAsync();
        this.RegisterGrainTimer(static (grain, _) => grain.RefreshAsync(), this,
            new GrainTimerCreationOptions { DueTime = RefreshInterval, Period = RefreshInterval, Interleave = true });
    }

    public Task PublishAsync(RegionUpdate update)
    {
        if (_recent.TryGetValue(update.Code, out var latest) && latest.Version > update.Version) return Task.CompletedTask;
        _recent[update.Code] = update;
        logger.LogDebug("Region {Region} published v{Version} (applied {Applied}) to {Count} API processes", update.Code, update.Version, update.Counts.Applied, _mailboxes.Count);
        foreach (var mailbox in _mailboxes.Values) Enqueue(mailbox, [update]);
        return Task.CompletedTask;
    }

    /// <summary>Adds updates to a mailbox (an older update never replaces a newer one) and starts sending if it may.</summary>
    private void Enqueue(Mailbox mailbox, IEnumerable<RegionUpdate> updates)
    {
        foreach (var update in updates)
            if (!mailbox.Pending.TryGetValue(update.Code, out var queued) || queued.Version < update.Version)
                mailbox.Pending[update.Code] = update;
        if (mailbox.Pending.Count > 0 && !mailbox.Sending && mailbox.MissingSince is null) _ = SendLoopAsync(mailbox);
    }

    private async Task SendLoopAsync(Mailbox mailbox)
    {
        mailbox.Sending = true;
        try
        {
            while (mailbox.Pending.Count > 0 && !mailbox.Removed && mailbox.MissingSince is null)
            {
                var batch = mailbox.Pending.Values.ToList();
                mailbox.Pending.Clear();
                try
                {
                    await mailbox.Observer.OnRegionUpdatesAsync(batch);
                    if (mailbox.Failures > 0) logger.LogInformation("Dashboard push to API process {Process} works again", mailbox.ProcessId);
                    mailbox.Failures = 0;
                }
                catch (ClientNotAvailableException)
                {
                    // The process's client is not connected (it stopped, or its gateway silo just died and it has not
                    // reconnected yet): hold its updates, and tell the list; a live process registers again within
                    // its renewal period and gets them, a gone one is dropped after the grace period.
                    logger.LogInformation("Dashboard observer of API process {Process} is not reachable; holding its updates", mailbox.ProcessId);
                    Enqueue(mailbox, batch);
                    mailbox.MissingSince ??= DateTime.UtcNow;
                    try { await GrainFactory.GetGrain<IDashboardHubListGrain>(0).UnregisterAsync(mailbox.ProcessId); }
                    catch (Exception e) { logger.LogDebug("Could not unregister {Process}: {Error}", mailbox.ProcessId, e.GetType().Name); }
                }
                catch (Exception e)
                {
                    // Timeouts and transient errors: send the batch again (newer updates that arrived meanwhile win).
                    mailbox.Failures++;
                    logger.LogWarning("Dashboard push to API process {Process} failed ({Failures} in a row): {Error}; retrying",
                        mailbox.ProcessId, mailbox.Failures, e.GetType().Name);
                    foreach (var update in batch)
                        if (!mailbox.Pending.TryGetValue(update.Code, out var newer) || newer.Version < update.Version)
                            mailbox.Pending[update.Code] = update;
                    await Task.Delay(RetryDelay);
                }
            }
        }
        finally
        {
            mailbox.Sending = false;
        }
    }

    private async Task RefreshAsync()
    {
        if (_refreshing) return;
        _refreshing = true;
        try
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var old in _recent.Values.Where(u => now - u.At > RecentWindow).Select(u => u.Code).ToList()) _recent.Remove(old);

            var list = await GrainFactory.GetGrain<IDashboardHubListGrain>(0).GetAsync();
            if (list.Version == _listVersion && _mailboxes.Count == list.Subscribers.Count && _mailboxes.Values.All(m => m.MissingSince is null)) return;
            _listVersion = list.Version;
            var live = new HashSet<string>(StringComparer.Ordinal);
            foreach (var subscriber in list.Subscribers)
            {
                live.Add(subscriber.ProcessId);
                if (_mailboxes.TryGetValue(subscriber.ProcessId, out var known) && known.Observer.Equals(subscriber.Observer))
                {
                    if (known.MissingSince is null) continue;
                    // Back in the list (a rebuilt list, or it registered again): send what was held meanwhile.
                    known.MissingSince = null;
                    logger.LogInformation("Dashboard push to API process {Process} resumes with {Count} held updates", known.ProcessId, known.Pending.Count);
                    Enqueue(known, []);
                    continue;
                }
                if (known is not null) Drop(known, "its process restarted");
                // New to this notifier: it missed what this activation received since the process registered, or since
                // this activation started if that is later (a notifier whose directory entry died with another silo is
                // reactivated, and may first read a rebuilt list that lacks processes which were listed all along).
                var mailbox = new Mailbox(subscriber.ProcessId, subscriber.Observer);
                _mailboxes[subscriber.ProcessId] = mailbox;
                var since = (subscriber.Since < _activatedAt ? subscriber.Since : _activatedAt) - TimeSpan.FromSeconds(1);
                var missed = _recent.Values.Where(u => u.At >= since).ToList();
                logger.LogDebug("Dashboard push to API process {Process} starts with {Count} updates it missed", subscriber.ProcessId, missed.Count);
                Enqueue(mailbox, missed);
            }
            var utcNow = DateTime.UtcNow;
            foreach (var missing in _mailboxes.Values.Where(m => !live.Contains(m.ProcessId)).ToList())
            {
                if (missing.MissingSince is null) logger.LogDebug("Dashboard push to API process {Process} paused: not in the hub list", missing.ProcessId);
                missing.MissingSince ??= utcNow;
                if (utcNow - missing.MissingSince.Value > AbsenceGrace) Drop(missing, "it left the hub list");
            }
        }
        catch (Exception e)
        {
            logger.LogWarning("Could not refresh the dashboard hub list: {Error}", e.GetType().Name);
        }
        finally
        {
            _refreshing = false;
        }
    }

    private void Drop(Mailbox mailbox, string why)
    {
        logger.LogInformation("Dashboard push to API process {Process} dropped: {Reason}", mailbox.ProcessId, why);
        mailbox.Removed = true;
        mailbox.Pending.Clear();
        if (_mailboxes.TryGetValue(mailbox.ProcessId, out var current) && ReferenceEquals(current, mailbox)) _mailboxes.Remove(mailbox.ProcessId);
    }

    private sealed class Mailbox(string processId, IDashboardObserver observer)
    {
        public string ProcessId { get; } = processId;
        public IDashboardObserver Observer { get; } = observer;
        /// <summary>Latest not-yet-sent update per region code.</summary>
        public Dictionary<string, RegionUpdate> Pending { get; } = new(StringComparer.Ordinal);
        public bool Sending { get; set; }
        public bool Removed { get; set; }
        /// <summary>Since when the process has been missing from the hub list or unreachable; while set, updates are held, not sent.</summary>
        public DateTime? MissingSince { get; set; }
        public int Failures { get; set; }
    }
}
