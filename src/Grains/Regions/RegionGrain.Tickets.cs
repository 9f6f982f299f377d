using Microsoft.Extensions.Logging;
using Sanmenxia.Tickets;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// The tickets' part of a region's roll-up: the counts of the ticket tallies reporting here (<see cref="ITicketTallyGrain"/>:
/// this region's own tickets, and for a township each village's), newest version of each. They are added to the total,
/// and a village's tally also to that village's line of the children's table (the village's own counts carry no tickets).
/// Like the other inputs they are not stored; the set of tallies that reported is (written when one is new), so an
/// activation pulls them again. A stale day's "today" figures count as zero (<see cref="TicketCounts.AsOf"/>).
/// </summary>
public sealed partial class RegionGrain
{
    private readonly Dictionary<string, (TicketCounts Counts, long Version)> _tickets = new(StringComparer.Ordinal);
    private DateOnly _ticketsDay;

    public async Task ReportTicketsAsync(string source, TicketCounts counts, long version)
    {
        if (_tickets.TryGetValue(source, out var known) && known.Version >= version) return;
        if (known.Counts != counts) _publishPending = true;
        _tickets[source] = (counts, version);
        var sources = state.State.TicketSources ??= new(StringComparer.Ordinal);
        if (sources.Add(source))
        {
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception e)
            {
                // Counted anyway; the source is written with the next new one (or pushes again after a restart).
                sources.Remove(source);
                logger.LogWarning("Region {Region} could not store ticket source {Source}: {Error}", Code, source, e.GetType().Name);
            }
        }
        InputChanged();
    }

    private async Task PullTicketsAsync()
    {
        if (state.State.TicketSources is not { Count: > 0 } sources) return;
        var pulls = sources.Select(async source => (source, await GrainFactory.GetGrain<ITicketTallyGrain>(source).GetCountsAsync()));
        foreach (var (source, counts) in await Task.WhenAll(pulls)) _tickets.TryAdd(source, (counts, 0));
    }

    /// <summary>The sum of the tallies as of today.</summary>
    private TicketCounts TicketTotal()
    {
        _ticketsDay = calendar.Today;
        var total = TicketCounts.Zero with { Day = _ticketsDay };
        foreach (var (counts, _) in _tickets.Values) total += counts.AsOf(_ticketsDay);
        return total;
    }

    /// <summary>A child's line: a village's counts plus its tickets' tally (a region child's counts include its tickets).</summary>
    private RegionCounts WithTickets(string child, RegionCounts counts) =>
        _tickets.TryGetValue(child, out var tally) && child != Code
            ? counts with { Tickets = counts.Tickets + tally.Counts.AsOf(calendar.Today) }
            : counts;
}
