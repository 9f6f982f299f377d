namespace Sanmenxia.Platform.Options;

/// <summary>
/// Who writes a village's rows in the village_resident table (docs/operations.md, "Retries, deadlines and the outbox").
/// Not read from configuration: the hosting extension sets it with the grain storage it chooses.
/// </summary>
public sealed class VillageRosterOptions
{
    /// <summary>
    /// True when each resident's village row is stored by the grain storage in the same transaction as the resident's own
    /// state (<see cref="Stores.IVillageRowCarrier"/>: the batched PostgreSQL grain storage). The village then keeps its
    /// summaries and counts in memory only, acknowledges a report at once and never writes a row itself; it still loads
    /// its rows at activation. False (the in-memory providers, the stock ADO.NET grain storage): the village stores the
    /// rows it is told about, as it always did, and acknowledges after that write.
    /// </summary>
    public bool RowsStoredWithResidentState { get; set; }
}
