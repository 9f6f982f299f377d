using Microsoft.Extensions.Logging;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// The daily-history part of the roll-up, shared by villages and regions: today's row in <see cref="IRegionHistory"/>
/// upserted at most once per interval while the counts change, and yesterday's closing row after midnight
/// (<see cref="HistoryThrottle"/>). A failed write is logged and retried one interval later.
/// </summary>
public sealed class HistoryWriter(string code, IRegionHistory history, TimeSpan interval, ILogger logger)
{
    private readonly HistoryThrottle _throttle = new(interval);
    private bool _failed;

    /// <summary>Writes the rows that are due for these counts.</summary>
    public async Task WriteDueAsync(DateOnly today, RegionCounts counts)
    {
        _failed = false;
        foreach (var row in _throttle.Due(today, counts))
        {
            try
            {
                await history.WriteAsync(code, row.Day, row.Counts);
                _throttle.Written(row);
            }
            catch (Exception e)
            {
                _failed = true;
                logger.LogWarning("{Code} could not write its daily history: {Error}", code, e.GetType().Name);
            }
        }
    }

    /// <summary>When the owner should call <see cref="WriteDueAsync"/> again; null when everything is written.</summary>
    public TimeSpan? NextDue => _failed ? interval : _throttle.DueIn;
}
