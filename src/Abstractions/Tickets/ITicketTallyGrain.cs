using Orleans.Concurrency;

namespace Sanmenxia.Tickets;

/// <summary>
/// The ticket roll-up's leaf: the tickets located in one region (key: the deepest region code a ticket's location
/// names: a village, or a township, county or the city when no village was given). Keeps each ticket's latest
/// <see cref="TicketSummary"/> (stored, so it survives a restart), sums them, and reports the sum to the region tree: a
/// village's tally to its township's region grain (which adds it to the village's line), any other to its own region grain.
/// </summary>
[Alias("sanmenxia.ITicketTallyGrain")]
public interface ITicketTallyGrain : IGrainWithStringKey
{
    /// <summary>Applies the summary if its version is newer than the one held (idempotent); completes once it is stored.</summary>
    [Alias("Report")] Task ReportAsync(TicketSummary summary);
    /// <summary>Read-only and interleaving, so a region pulling counts at activation never waits on a tally pushing to it.</summary>
    [Alias("Counts"), AlwaysInterleave] Task<TicketCounts> GetCountsAsync();
}
