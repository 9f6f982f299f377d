using Orleans.Concurrency;

namespace Sanmenxia.Dashboard;

/// <summary>
/// The list of API processes that want dashboard updates. Single instance, key 0. Registrations expire unless
/// renewed (each API process renews on a timer), so a crashed process drops out and a reactivated list (after
/// a silo restart) is rebuilt within one renewal period.
/// </summary>
[Alias("sanmenxia.IDashboardHubListGrain")]
public interface IDashboardHubListGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or renews a process's observer; it expires after <paramref name="validFor"/> unless renewed.</summary>
    [Alias("Register")] Task RegisterAsync(string processId, IDashboardObserver observer, TimeSpan validFor);
    /// <summary>Removes a process (on shutdown, or when a notifier found its observer gone).</summary>
    [Alias("Unregister")] Task UnregisterAsync(string processId);
    /// <summary>The live registrations, with a version that changes whenever the list does.</summary>
    [Alias("List"), AlwaysInterleave] Task<DashboardSubscriberList> GetAsync();
}
