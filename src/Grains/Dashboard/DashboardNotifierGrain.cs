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
/// grows beyond one entry per region; a process that is gone is dropped and unregistered.
/// </summary>
/// <remarks>
/// Keyed by the silo's identity and placed locally, not a <c>[StatelessWorker]</c>: Orleans routes an external
/// client's <em>response</em> that enters the cluster through another silo's gateway by grain id, and a stateless
/// worker's id resolves to that gateway silo's own worker, which has no such call outstanding. The observer ran,
/// but the caller waited out the response timeout (10 s) before its next batch to that API process: 5–10 s
/// pushes whenever an API process was connected to the other silo's gateway only (Cluster/DashboardRecoveryTests).
/// A grain with one activation per key is found through the directory, so its responses arrive.
/// </remarks>
[PreferLocalPlacement, Reentrant]
public sealed class DashboardNotifierGrain(ILogger<DashboardNotifierGrain> logger) : Grain, IDashboardNotifierGrain
{
    /// <summary>How often the list of API processes is re-read from the hub-list grain.</summary>
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>The notifier of the silo a grain runs on (the key is that silo's identity; the activation is local).</summary>
    public static IDashboardNotifierGrain OnThisSilo(IGrainFactory grains, string runtimeIdentity) =>
        grains.GetGrain<IDashboardNotifierGrain>(runtimeIdentity);

    private readonly Dictionary<string, Mailbox> _mailboxes = new(StringComparer.Ordinal);
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
        foreach (var mailbox in _mailboxes.Values)
        {
            if (mailbox.Pending.TryGetValue(update.Code, out var queued) && queued.Version > update.Version) continue;
            mailbox.Pending[update.Code] = update;
            if (!mailbox.Sending) _ = SendLoopAsync(mailbox);
        }
        return Task.CompletedTask;
    }

    private async Task SendLoopAsync(Mailbox mailbox)
    {
        mailbox.Sending = true;
        try
        {
            while (mailbox.Pending.Count > 0 && !mailbox.Removed)
            {
                var batch = mailbox.Pending.Values.ToList();
                mailbox.Pending.Clear();
                try
                {
                    await mailbox.Observer.OnRegionUpdatesAsync(batch);
                    mailbox.Failures = 0;
                }
                catch (ClientNotAvailableException)
                {
                    // The API process has gone (or its client restarted): stop sending and tell the list.
                    logger.LogInformation("Dashboard observer of API process {Process} is gone; dropping it", mailbox.ProcessId);
                    Drop(mailbox);
                    try { await GrainFactory.GetGrain<IDashboardHubListGrain>(0).UnregisterAsync(mailbox.ProcessId); }
                    catch (Exception e) { logger.LogDebug("Could not unregister {Process}: {Error}", mailbox.ProcessId, e.GetType().Name); }
                }
                catch (Exception e)
                {
                    // Timeouts and transient errors: the next update supersedes this one, so nothing is retried.
                    mailbox.Failures++;
                    logger.LogWarning("Dashboard push to API process {Process} failed ({Failures} in a row): {Error}",
                        mailbox.ProcessId, mailbox.Failures, e.GetType().Name);
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
            var list = await GrainFactory.GetGrain<IDashboardHubListGrain>(0).GetAsync();
            if (list.Version == _listVersion && _mailboxes.Count == list.Subscribers.Count) return;
            _listVersion = list.Version;
            var live = new HashSet<string>(StringComparer.Ordinal);
            foreach (var subscriber in list.Subscribers)
            {
                live.Add(subscriber.ProcessId);
                if (_mailboxes.TryGetValue(subscriber.ProcessId, out var known) && known.Observer.Equals(subscriber.Observer)) continue;
                if (known is not null) Drop(known);
                _mailboxes[subscriber.ProcessId] = new Mailbox(subscriber.ProcessId, subscriber.Observer);
            }
            foreach (var gone in _mailboxes.Values.Where(m => !live.Contains(m.ProcessId)).ToList()) Drop(gone);
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

    private void Drop(Mailbox mailbox)
    {
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
        public int Failures { get; set; }
    }
}
