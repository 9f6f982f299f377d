using Microsoft.Extensions.Logging;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Residents;

/// <summary>
/// Tells a resident's village its summary after each write. The village ignores versions it has seen, so a report is
/// safe to repeat; one that cannot be delivered is retried by a grain timer until it is (the resident's write stands).
/// One per activation: what was reported lives in memory, so a new activation reports its next version afresh.
/// </summary>
internal sealed class VillageReporter(IGrainBase grain, IGrainFactory grains, ILogger logger, Func<ResidentState> state, Func<ResidentSummary> summary)
{
    private long _reportedVersion = -1;
    private IGrainTimer? _retry;

    /// <summary>Reports the current summary unless its version was reported already.</summary>
    public async Task ReportAsync()
    {
        var s = state();
        if (_reportedVersion >= s.SummaryVersion || string.IsNullOrEmpty(s.VillageCode)) return;
        try
        {
            await grains.GetGrain<IVillageGrain>(s.VillageCode).ReportAsync(summary());
            _reportedVersion = s.SummaryVersion;
            _retry?.Dispose();
            _retry = null;
        }
        catch (Exception e)
        {
            logger.LogWarning("Village {Village} did not take resident {Resident}'s summary v{Version}: {Error}; retrying",
                s.VillageCode, grain.GrainContext.GrainId, s.SummaryVersion, e.GetType().Name);
            _retry ??= grain.RegisterGrainTimer(static (reporter, _) => reporter.ReportAsync(), this,
                new GrainTimerCreationOptions { DueTime = TimeSpan.FromSeconds(2), Period = TimeSpan.FromSeconds(5), KeepAlive = true });
        }
    }
}
