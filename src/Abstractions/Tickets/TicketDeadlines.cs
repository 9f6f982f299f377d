using Sanmenxia.Regions;

namespace Sanmenxia.Tickets;

/// <summary>Where a ticket stands against its deadline at an instant.</summary>
public sealed record TicketClock(
    DateTimeOffset? DueAt,
    bool Overdue,
    /// <summary>The escalation level the dates call for (0 = none); the ticket keeps the highest it reached.</summary>
    int Level,
    RegionCode? EscalatedTo,
    /// <summary>When the ticket's grain must next look at its deadline (the due time, or the next escalation), if ever.</summary>
    DateTimeOffset? NextWake);

/// <summary>
/// Deadlines and escalation, pure and evaluated from dates, so a deadline that passed while nobody looked (the cluster
/// was down, a reminder was late) gives the same answer as one noticed on time.
/// <list type="bullet">
/// <item>Received: due <c>AcceptWithin</c> after receipt.</item>
/// <item>Accepted, Dispatched, Supervision: due <c>HandleWithin</c> after the handling window opened (acceptance, the
/// reopening, the hand-over to the supervisor), but never after the close deadline.</item>
/// <item>Handled, FeedbackGiven: due <c>CloseWithin</c> after receipt.</item>
/// <item>Closed, Rejected: nothing due.</item>
/// </list>
/// Past its due time a ticket is overdue and escalates one level up the region tree of its location (village →
/// township → county → city) at once, and one more level every <c>EscalateEvery</c>, up to the city.
/// </summary>
public static class TicketDeadlines
{
    public static DateTimeOffset? DueAt(Ticket ticket, TicketDeadlinePolicy policy)
    {
        var closeBy = ticket.ReceivedAt + policy.CloseWithin;
        return ticket.State switch
        {
            TicketState.Received => ticket.ReceivedAt + policy.AcceptWithin,
            TicketState.Accepted or TicketState.Dispatched or TicketState.Supervision =>
                Min((ticket.HandleClockFrom ?? ticket.AcceptedAt ?? ticket.ReceivedAt) + policy.HandleWithin, closeBy),
            TicketState.Handled or TicketState.FeedbackGiven => closeBy,
            _ => null,
        };
    }

    /// <summary>The regions an overdue ticket escalates to, nearest first (empty for a ticket located at the city).</summary>
    public static IReadOnlyList<RegionCode> EscalationChain(Ticket ticket) => ticket.Location.Region.Ancestors().ToList();

    public static TicketClock Evaluate(Ticket ticket, TicketDeadlinePolicy policy, DateTimeOffset now)
    {
        var due = DueAt(ticket, policy);
        var chain = EscalationChain(ticket);
        if (due is not { } dueAt) return new TicketClock(null, false, ticket.EscalationLevel, ticket.EscalatedTo, null);
        if (now < dueAt) return new TicketClock(dueAt, false, ticket.EscalationLevel, ticket.EscalatedTo, dueAt);

        // Levels the dates call for: 1 at the due time, one more every EscalateEvery, up to the city; never lower than before.
        var level = Math.Max(ticket.EscalationLevel, StepsAt(now, dueAt, policy, chain.Count));
        // StepsAt(dueAt + EscalateEvery * level) == level + 1: the first instant that climbs higher than the ticket is now.
        DateTimeOffset? next = level < chain.Count ? dueAt + policy.EscalateEvery * level : null;
        return new TicketClock(dueAt, true, level, level == 0 ? null : chain[level - 1], next);
    }

    /// <summary>How many levels an overdue ticket climbs by <paramref name="at"/>: 1 at the due time, +1 every EscalateEvery, at most <paramref name="max"/>.</summary>
    public static int StepsAt(DateTimeOffset at, DateTimeOffset dueAt, TicketDeadlinePolicy policy, int max) =>
        at < dueAt ? 0 : (int)Math.Min(max, 1 + (at - dueAt).Ticks / policy.EscalateEvery.Ticks);

    /// <summary>
    /// The ticket as the dates say it stands at <paramref name="now"/>: due time, overdue flag, escalation level (never
    /// lower than before). Steps are recorded at the instants they became due, by "system". Returns the same instance
    /// when nothing changed, so a caller knows whether to store it.
    /// </summary>
    public static Ticket Apply(Ticket ticket, TicketDeadlinePolicy policy, DateTimeOffset now)
    {
        var clock = Evaluate(ticket, policy, now);
        var overdueSince = clock.Overdue ? clock.DueAt : null;
        if (clock.DueAt == ticket.DueAt && clock.Overdue == ticket.Overdue && clock.Level == ticket.EscalationLevel && overdueSince == ticket.OverdueSince)
            return ticket;

        var steps = new List<TicketStep>();
        if (clock.Overdue && (!ticket.Overdue || ticket.OverdueSince != overdueSince))
            steps.Add(new TicketStep(TicketStepKind.Overdue, clock.DueAt!.Value, TicketActor.System, ticket.State, ticket.State,
                $"{DeadlineName(ticket.State)} deadline {clock.DueAt:yyyy-MM-dd HH:mm zzz} passed"));
        var chain = EscalationChain(ticket);
        for (var level = ticket.EscalationLevel + 1; level <= clock.Level; level++)
        {
            var at = clock.DueAt!.Value + policy.EscalateEvery * (level - 1);
            if (at > now) at = now;
            steps.Add(new TicketStep(TicketStepKind.Escalated, at, TicketActor.System, ticket.State, ticket.State,
                $"overdue: escalated to the {chain[level - 1].Level.ToString().ToLowerInvariant()} {chain[level - 1].Value}", EscalatedTo: chain[level - 1].Value));
        }
        return ticket with
        {
            DueAt = clock.DueAt,
            Overdue = clock.Overdue,
            OverdueSince = overdueSince,
            EscalationLevel = clock.Level,
            EscalatedTo = clock.EscalatedTo,
            Steps = steps.Count == 0 ? ticket.Steps : [.. ticket.Steps, .. steps],
            Version = ticket.Version + 1,
            UpdatedAt = steps.Count == 0 ? ticket.UpdatedAt : now,
        };
    }

    public static string DeadlineName(TicketState state) => state switch
    {
        TicketState.Received => "accept",
        TicketState.Accepted or TicketState.Dispatched or TicketState.Supervision => "handle",
        _ => "close",
    };

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;
}
