using Microsoft.Extensions.Logging;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// Wakes, when another silo is declared dead, every region this silo's roll-up nodes report to
/// (<see cref="RollupParents"/>), so that a parent that <em>received</em> a child's counts and died with its silo
/// before pushing them further up is brought back: the call activates a new one (on a live silo), which pulls its
/// children and checkpoints, pushes its total to its own parent and publishes to the dashboards. Without it the child
/// holds its counts as delivered, nothing calls the parent, and the grandparent and the dashboards keep the old figure
/// until the next change in that subtree (docs/dashboard.md, "Recovery"). A parent that is alive answers a read-only
/// call and nothing else happens.
/// Cheap: only on a silo becoming Dead (joins and other changes are ignored), one read-only call per distinct parent,
/// at most <see cref="MaxInFlight"/> at a time, a failed call retried three times (<see cref="RetryDelays"/>). A silo-lifecycle participant, started once the silo is active.
/// </summary>
public sealed class RollupRecovery(
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    RollupParents parents,
    IGrainFactory grains,
    TimeProvider time,
    ILogger<RollupRecovery> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Parent regions woken at the same time.</summary>
    public const int MaxInFlight = 8;
    /// <summary>
    /// Pauses before a failed call is made again. Right after the declaration a call may still be routed to the dead silo,
    /// and a grain directory that holds the dead silo's range under a lease (Orleans' distributed directory, used by the
    /// test clusters) lets the parent activate only once the lease ends, about 20 s later: with a 10 s response timeout,
    /// four attempts cover about a minute.
    /// </summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];
    private readonly CancellationTokenSource _stop = new();
    private Task? _watch;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RollupRecovery), ServiceLifecycleStage.Active, Start, StopAsync);

    private Task Start(CancellationToken ct)
    {
        _watch = Task.Run(() => WatchAsync(_stop.Token));
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        if (_watch is not { } watch) return;
        try
        {
            await watch.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // The silo's stop gave up waiting: the watch ends by itself.
        }
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        try
        {
            ClusterMembershipSnapshot? previous = null;
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(ct))
            {
                // The first snapshot is the table as found (it lists silos that died long ago): nothing to compare with.
                if (previous is not null)
                {
                    var died = snapshot.CreateUpdate(previous).Changes
                        .Where(m => m.Status == SiloStatus.Dead && !m.SiloAddress.Equals(local.SiloAddress))
                        .Select(m => m.SiloAddress).ToList();
                    if (died.Count > 0 && snapshot.GetSiloStatus(local.SiloAddress) == SiloStatus.Active) await WakeParentsAsync(died, ct);
                }
                previous = snapshot;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning("The roll-up's watch of cluster membership stopped: {Error}", e.GetType().Name);
        }
    }

    /// <summary>Calls each parent once (retrying a failed call), at most <see cref="MaxInFlight"/> at a time.</summary>
    private async Task WakeParentsAsync(IReadOnlyList<SiloAddress> died, CancellationToken ct)
    {
        var codes = parents.Snapshot();
        if (codes.Count == 0) return;
        logger.LogInformation("Silo {Silos} declared dead: waking the {Count} regions this silo's roll-up nodes report to (a parent that died with counts unsent is brought back)",
            string.Join(", ", died), codes.Count);
        var failed = 0;
        await Parallel.ForEachAsync(codes, new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct },
            async (code, token) =>
            {
                if (!await WakeAsync(code, token)) Interlocked.Increment(ref failed);
            });
        if (failed > 0) logger.LogWarning("After a silo's death, {Failed} of {Count} parent regions could not be woken; each is woken by its next report", failed, codes.Count);
    }

    private async Task<bool> WakeAsync(string code, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await grains.GetGrain<IRegionGrain>(code).GetCountsAsync().WaitAsync(ct);
                return true;
            }
            catch (Exception) when (attempt < RetryDelays.Length && !ct.IsCancellationRequested)
            {
                await Task.Delay(RetryDelays[attempt], time, ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
