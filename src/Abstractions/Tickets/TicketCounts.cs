namespace Sanmenxia.Tickets;

/// <summary>
/// Ticket figures of a period (one day, or all time): how many tickets were received, accepted, rejected and closed in
/// it, how many of those accepted in it are closed by now (the closing rate's numerator), and the receipt-to-close
/// times of those closed in it (<see cref="CloseTimeHistogram"/>). Figures of regions add up.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketRollupFigures")]
public sealed record TicketRollupFigures
{
    public static TicketRollupFigures Zero { get; } = new();
    [Id(0)] public int Received { get; init; }
    [Id(1)] public int Accepted { get; init; }
    [Id(2)] public int Rejected { get; init; }
    [Id(3)] public int Closed { get; init; }
    /// <summary>Of the tickets accepted in the period, those closed by now.</summary>
    [Id(4)] public int AcceptedClosed { get; init; }
    [Id(5)] public CloseTimeHistogram CloseHours { get; init; } = CloseTimeHistogram.Empty;

    /// <summary>Closed ÷ accepted among the tickets accepted in the period; null with none accepted.</summary>
    public double? ClosingRate => Accepted > 0 ? (double)AcceptedClosed / Accepted : null;
    /// <summary>Median receipt-to-close hours of the tickets closed in the period (bucket resolution).</summary>
    public double? MedianHours => (CloseHours ?? CloseTimeHistogram.Empty).Percentile(0.5);
    public double? P90Hours => (CloseHours ?? CloseTimeHistogram.Empty).Percentile(0.9);

    public static TicketRollupFigures operator +(TicketRollupFigures a, TicketRollupFigures b) => new()
    {
        Received = a.Received + b.Received, Accepted = a.Accepted + b.Accepted, Rejected = a.Rejected + b.Rejected,
        Closed = a.Closed + b.Closed, AcceptedClosed = a.AcceptedClosed + b.AcceptedClosed, CloseHours = a.CloseHours + b.CloseHours,
    };

    public static TicketRollupFigures operator -(TicketRollupFigures a) => new()
    {
        Received = -a.Received, Accepted = -a.Accepted, Rejected = -a.Rejected, Closed = -a.Closed,
        AcceptedClosed = -a.AcceptedClosed, CloseHours = -(a.CloseHours ?? CloseTimeHistogram.Empty),
    };
}

/// <summary>
/// A region's ticket roll-up (in <see cref="Villages.RegionCounts.Tickets"/>): today's figures (of <see cref="Day"/>,
/// the city's calendar), the cumulative figures, and the tickets open and overdue now. Sums of different days keep the
/// later day's "today" (an input that has not reported on the later day had nothing happen on it);
/// <see cref="AsOf"/> empties a stale day's "today".
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketCounts")]
public sealed record TicketCounts
{
    public static TicketCounts Zero { get; } = new();
    /// <summary>The day <see cref="Today"/> is of.</summary>
    [Id(0)] public DateOnly Day { get; init; }
    [Id(1)] public TicketRollupFigures Today { get; init; } = TicketRollupFigures.Zero;
    /// <summary>Since the first ticket.</summary>
    [Id(2)] public TicketRollupFigures Total { get; init; } = TicketRollupFigures.Zero;
    /// <summary>Neither closed nor rejected.</summary>
    [Id(3)] public int Open { get; init; }
    /// <summary>Open and past the current state's deadline.</summary>
    [Id(4)] public int Overdue { get; init; }
    /// <summary>Open and escalated up the region tree at least once (the flag stays after the deadline is met).</summary>
    [Id(5)] public int Escalated { get; init; }

    /// <summary>These counts seen on <paramref name="today"/>: a stale day's "today" figures are zero.</summary>
    public TicketCounts AsOf(DateOnly today) => Day == today ? this : this with { Day = today, Today = TicketRollupFigures.Zero };

    public static TicketCounts operator +(TicketCounts? a, TicketCounts? b)
    {
        a ??= Zero;
        b ??= Zero;
        var today = a.Day == b.Day ? (a.Today ?? TicketRollupFigures.Zero) + (b.Today ?? TicketRollupFigures.Zero) : a.Day > b.Day ? a.Today : b.Today;
        return new()
        {
            Day = a.Day > b.Day ? a.Day : b.Day, Today = today ?? TicketRollupFigures.Zero,
            Total = (a.Total ?? TicketRollupFigures.Zero) + (b.Total ?? TicketRollupFigures.Zero),
            Open = a.Open + b.Open, Overdue = a.Overdue + b.Overdue, Escalated = a.Escalated + b.Escalated,
        };
    }

    /// <summary>Takes a contribution out (same day): every figure negated.</summary>
    public static TicketCounts operator -(TicketCounts a) => a with
    {
        Today = -(a.Today ?? TicketRollupFigures.Zero),
        Total = -(a.Total ?? TicketRollupFigures.Zero),
        Open = -a.Open,
        Overdue = -a.Overdue,
        Escalated = -a.Escalated,
    };
}

/// <summary>
/// What one ticket tells the roll-up: where it is (the deepest region its location names), its state and flags, the
/// days it was received, accepted, rejected and closed (the city's calendar), and its receipt-to-close time.
/// <see cref="Version"/> is the ticket's: the tally keeps the newest, so a re-delivered or stale report changes nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketSummary")]
public sealed record TicketSummary(
    [property: Id(0)] string Number,
    [property: Id(1)] string Region,
    [property: Id(2)] TicketState State,
    [property: Id(3)] bool Overdue,
    [property: Id(4)] int EscalationLevel,
    [property: Id(5)] DateOnly ReceivedOn,
    [property: Id(6)] DateOnly? AcceptedOn,
    [property: Id(7)] DateOnly? RejectedOn,
    [property: Id(8)] DateOnly? ClosedOn,
    [property: Id(9)] double? HoursToClose,
    [property: Id(10)] long Version)
{
    public bool IsOpen => State is not (TicketState.Closed or TicketState.Rejected);

    public static TicketSummary From(Ticket t, Func<DateTimeOffset, DateOnly> dayOf) => new(
        t.Number, t.Location.Region.Value, t.State, t.Overdue, t.EscalationLevel, dayOf(t.ReceivedAt),
        t.AcceptedAt is { } a ? dayOf(a) : null, t.RejectedAt is { } r ? dayOf(r) : null,
        t.State == TicketState.Closed && t.ClosedAt is { } c ? dayOf(c) : null,
        t.State == TicketState.Closed && t.ClosedAt is { } closed ? (closed - t.ReceivedAt).TotalHours : null,
        t.Version);

    /// <summary>What this ticket adds to its region's counts on <paramref name="today"/> (pure; the tally sums these).</summary>
    public TicketCounts Contribution(DateOnly today)
    {
        var closed = ClosedOn is not null;
        var hours = closed && HoursToClose is { } h ? CloseTimeHistogram.Of(h) : CloseTimeHistogram.Empty;
        var total = new TicketRollupFigures
        {
            Received = 1, Accepted = AcceptedOn is null ? 0 : 1, Rejected = RejectedOn is null ? 0 : 1, Closed = closed ? 1 : 0,
            AcceptedClosed = AcceptedOn is not null && closed ? 1 : 0, CloseHours = hours,
        };
        var day = new TicketRollupFigures
        {
            Received = ReceivedOn == today ? 1 : 0, Accepted = AcceptedOn == today ? 1 : 0, Rejected = RejectedOn == today ? 1 : 0,
            Closed = ClosedOn == today ? 1 : 0, AcceptedClosed = AcceptedOn == today && closed ? 1 : 0,
            CloseHours = ClosedOn == today ? hours : CloseTimeHistogram.Empty,
        };
        return new TicketCounts
        {
            Day = today, Today = day, Total = total, Open = IsOpen ? 1 : 0, Overdue = IsOpen && Overdue ? 1 : 0,
            Escalated = IsOpen && EscalationLevel > 0 ? 1 : 0,
        };
    }
}
