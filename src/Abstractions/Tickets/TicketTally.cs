namespace Sanmenxia.Tickets;

/// <summary>A tally's running sum: each ticket's contribution on the counted day, replaced when its summary changes.</summary>
/// <remarks>Pure: the tally grain keeps one per activation and feeds it the stored and reported summaries.</remarks>
public sealed class TicketTally
{
    private readonly Dictionary<string, TicketCounts> _contributions = new(StringComparer.Ordinal);

    public DateOnly Day { get; private set; }

    public TicketCounts Total { get; private set; } = TicketCounts.Zero;

    public void CountAll(DateOnly day, IEnumerable<TicketSummary> tickets)
    {
        Day = day;
        _contributions.Clear();
        Total = TicketCounts.Zero with { Day = day };
        foreach (var summary in tickets) Count(summary);
    }

    public void Count(TicketSummary summary)
    {
        if (_contributions.Remove(summary.Number, out var old)) Total += -old;
        var contribution = summary.Contribution(Day);
        _contributions[summary.Number] = contribution;
        Total += contribution;
    }
}
