namespace Sanmenxia.Dashboard;

/// <summary>
/// Fans region updates out to every registered API process. One per silo, keyed by the silo's identity and
/// placed on it, so a region grain's publish is a local call; per API process it keeps only the latest update
/// of each region while a call to that process is in flight, so a slow or dead process delays nobody else and
/// memory stays bounded.
/// </summary>
[Alias("sanmenxia.IDashboardNotifierGrain")]
public interface IDashboardNotifierGrain : IGrainWithStringKey
{
    [Alias("Publish")] Task PublishAsync(RegionUpdate update);
}
