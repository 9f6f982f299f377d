using Microsoft.Extensions.Logging;
using Sanmenxia.Dashboard;

namespace Sanmenxia.Grains.Dashboard;

/// <summary>
/// The API processes that receive dashboard updates (GPSTracker's hub-list grain, keyed by process instead of
/// by silo because API processes are usually Orleans clients, not silos). Kept in memory only: every API
/// process renews its registration every few seconds, so after a silo restart the list is whole again
/// within one renewal period, with no storage write per renewal.
/// </summary>
public sealed class DashboardHubListGrain(ILogger<DashboardHubListGrain> logger) : Grain, IDashboardHubListGrain
{
    private readonly Dictionary<string, (IDashboardObserver Observer, DateTime ExpiresAt, DateTimeOffset Since)> _processes = new(StringComparer.Ordinal);
    /// <summary>
    /// Starts from the clock, not 0: notifiers skip a list whose version and size they have seen, and a list
    /// reactivated after a silo failure must never repeat a version of its previous activation with other members.
    /// </summary>
    private long _version = DateTime.UtcNow.Ticks;
    private DashboardSubscriberList? _cache;

    public Task RegisterAsync(string processId, IDashboardObserver observer, TimeSpan validFor)
    {
        var isNew = !_processes.TryGetValue(processId, out var known) || !known.Observer.Equals(observer);
        _processes[processId] = (observer, DateTime.UtcNow + validFor, isNew ? DateTimeOffset.UtcNow : known.Since);
        if (isNew)
        {
            logger.LogInformation("Dashboard push registered for API process {Process}", processId);
            Changed();
        }
        return Task.CompletedTask;
    }

    public Task UnregisterAsync(string processId)
    {
        if (_processes.Remove(processId))
        {
            logger.LogInformation("Dashboard push unregistered for API process {Process}", processId);
            Changed();
        }
        return Task.CompletedTask;
    }

    public Task<DashboardSubscriberList> GetAsync()
    {
        var now = DateTime.UtcNow;
        var expired = _processes.Where(p => p.Value.ExpiresAt < now).Select(p => p.Key).ToList();
        foreach (var process in expired)
        {
            _processes.Remove(process);
            logger.LogInformation("Dashboard push registration of API process {Process} expired", process);
        }
        if (expired.Count > 0) Changed();
        return Task.FromResult(_cache ??= new DashboardSubscriberList(_version,
            _processes.Select(p => new DashboardSubscriber(p.Key, p.Value.Observer, p.Value.Since)).ToList()));
    }

    private void Changed()
    {
        _version++;
        _cache = null;
    }
}
