namespace Sanmenxia.Trips;

/// <summary>The trips that have published cases. Single instance, key 0.</summary>
[Alias("sanmenxia.ITripIndexGrain")]
public interface ITripIndexGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task AddAsync(TripId trip);
    [Alias("List")] Task<IReadOnlyList<TripId>> ListAsync();
    /// <summary>Retention: the trips are forgotten.</summary>
    [Alias("Remove")] Task RemoveAsync(IReadOnlyList<TripId> trips);
}
