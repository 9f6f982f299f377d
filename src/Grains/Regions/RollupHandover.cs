using Microsoft.Extensions.Logging;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// What a roll-up node (village or region) does when its activation ends while it still holds work nobody else has: counts
/// its parent has not received (<see cref="UpwardReporter{T}.Unsent"/>, e.g. a push that failed because the parent's silo
/// died and is waiting for its retry) or a dashboard update not yet published. That work lives only in the activation's
/// memory, and nothing else would bring the node back: its children push only when their counts change, and a parent on a
/// dead silo is not active anywhere to pull. Orleans does end such activations on a surviving silo: every activation
/// whose grain directory entry was held by the dead silo is deactivated when the silo is declared dead (reason
/// DirectoryFailure), so about half of a two-silo cluster's roll-up grains lost their pending retry at once
/// (Cluster/DashboardRecoveryTests; docs/dashboard.md, "Recovery").
/// The node therefore calls itself, without waiting: Orleans holds the call until this activation is gone and delivers
/// it to a new one, whose activation pulls the inputs again and pushes and publishes what it finds. A resident with a
/// report its village has not acknowledged does the same (its new activation re-sends the stored report within a
/// second instead of the outbox reminder's minute).
/// </summary>
internal static class RollupHandover
{
    /// <param name="poke">A cheap call to the grain itself (e.g. its read-only counts), started from OnDeactivateAsync.</param>
    public static void ToNewActivation(Func<Task> poke, string node, DeactivationReason reason, ILogger logger)
    {
        logger.LogInformation("{Node} deactivates ({Reason}) with a report its parent has not taken: a new activation takes over", node, reason.ReasonCode);
        Task call;
        try
        {
            call = poke();
        }
        catch (Exception e)
        {
            call = Task.FromException(e);
        }
        // Not awaited (the call is delivered only after this activation is gone); a failure is logged, not thrown.
        _ = call.ContinueWith(static (t, state) =>
            {
                var (node, logger) = ((string, ILogger))state!;
                logger.LogWarning("{Node} could not wake a new activation: {Error}", node, t.Exception?.GetBaseException().GetType().Name);
            }, (node, logger), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
