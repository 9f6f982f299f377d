namespace Sanmenxia.Platform.Time;

/// <summary>
/// The clock of the epidemic's world (health-code days, deadlines, needs, QR expiry), registered as a keyed
/// TimeProvider. It is the simulation clock in drills and a fake clock in tests, while Orleans' own timers,
/// token lifetimes and audit timestamps keep running on real time.
/// </summary>
public static class DomainClock
{
    public const string Key = "sanmenxia-domain";
}
