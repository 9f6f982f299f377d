using Microsoft.Extensions.Logging;
using Sanmenxia.Checkpoints;
using Sanmenxia.Regions;
using Sanmenxia.Tickets;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// The tickets' part of a region's roll-up: the counts of the ticket tallies reporting here (<see cref="ITicketTallyGrain"/>:
/// this region's own tickets, and for a township each village's), newest version of each. They are added to the total,
/// and a village's tally also to that village's line of the children's table (the village's own counts carry no tickets).
/// Like the other inputs they are not stored; the set of tallies that reported is (written when one is new), so an
/// activation pulls them again, with the other inputs (<see cref="ListInputsAsync"/>). A stale day's "today" figures count as zero (<see cref="TicketCounts.AsOf"/>).
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

    /// <summary>
    /// What a new activation asks (<see cref="ChildPuller"/>): its children's counts, its checkpoints' totals and the ticket
    /// tallies that ever reported here. An answer is taken unless the input reported on its own meanwhile (newer).
    /// </summary>
    private async Task<IReadOnlyList<ChildPuller.Input>> ListInputsAsync()
    {
        var children = await GrainFactory.GetGrain<IRegionDirectoryGrain>(0).GetChildrenAsync(Code);
        var checkpoints = await GrainFactory.GetGrain<ICheckpointDirectoryGrain>(0).GetReportingToAsync(Code);
        var inputs = new List<ChildPuller.Input>();
        foreach (var child in children)
        {
            var code = child.Code.Value;
            _childNames[code] = child.Name;
            Func<Task<RegionCounts>> pull = child.Level == RegionLevel.Village
                ? GrainFactory.GetGrain<IVillageGrain>(code).GetCountsAsync
                : GrainFactory.GetGrain<IRegionGrain>(code).GetCountsAsync;
            inputs.Add(new($"child {code}", () => _children.ContainsKey(code), async () =>
            {
                var counts = await pull();
                return () => Take(_children, code, counts);
            }));
        }
        foreach (var checkpoint in checkpoints)
        {
            var id = checkpoint.Id;
            inputs.Add(new($"checkpoint {id}", () => _checkpoints.ContainsKey(id), async () =>
            {
                var totals = await GrainFactory.GetGrain<ICheckpointGrain>(id).GetTotalsAsync();
                return () => Take(_checkpoints, id, totals);
            }));
        }
        foreach (var source in state.State.TicketSources?.ToList() ?? [])
            inputs.Add(new($"ticket tally {source}", () => _tickets.ContainsKey(source), async () =>
            {
                var counts = await GrainFactory.GetGrain<ITicketTallyGrain>(source).GetCountsAsync();
                return () => Take(_tickets, source, counts);
            }));
        return inputs;
    }

    /// <summary>A pulled answer (version 0: any report is newer), counted and published.</summary>
    private void Take<T>(Dictionary<string, (T, long)> inputs, string key, T value)
    {
        if (!inputs.TryAdd(key, (value, 0))) return;
        _publishPending = true;
        InputChanged();
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
