namespace Sanmenxia.KeyPersons;

/// <summary>
/// The decision deadline of a pending entry (a possible exposure awaiting the village's check): village staff must
/// confirm or dismiss it within a configured time of its creation; once that passes it is overdue, and the village's
/// counts escalate it to the township. Pure and evaluated from the stored instants, so a deadline that passed while the
/// cluster was down is acted on when the resident is next evaluated.
/// </summary>
public static class PendingDecision
{
    /// <summary>KeyPersons:PendingDecisionWithin by default.</summary>
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromHours(24);

    /// <summary>The entry's deadline: the stored one, or (stored before deadlines existed) its creation plus the window.</summary>
    public static DateTimeOffset DecideByOf(KeyPersonEntry entry, TimeSpan within) => entry.DecideBy ?? entry.CreatedAt + within;

    /// <summary>
    /// True if evaluating the entry at <paramref name="now"/> changes it: a pending entry whose deadline has passed and which
    /// is not yet marked overdue, or one stored without a deadline.
    /// </summary>
    public static bool IsDue(KeyPersonEntry entry, DateTimeOffset now, TimeSpan within) =>
        entry.Status == KeyPersonStatus.Pending && (entry.DecideBy is null || (!entry.Overdue && now >= entry.DecideBy));

    /// <summary>
    /// The entry as of <paramref name="now"/>: a pending entry gets its deadline if it had none, and is overdue once the
    /// deadline has passed (it stays overdue until decided). Other entries are returned as they are.
    /// </summary>
    public static KeyPersonEntry Evaluate(KeyPersonEntry entry, DateTimeOffset now, TimeSpan within)
    {
        if (entry.Status != KeyPersonStatus.Pending) return entry;
        var decideBy = DecideByOf(entry, within);
        var overdue = entry.Overdue || now >= decideBy;
        return entry.DecideBy == decideBy && entry.Overdue == overdue ? entry : entry with { DecideBy = decideBy, Overdue = overdue };
    }

    /// <summary>The earliest deadline of a pending entry not yet overdue, or null when none waits (no reminder needed).</summary>
    public static DateTimeOffset? NextDue(IEnumerable<KeyPersonEntry> entries, TimeSpan within) =>
        entries.Where(e => e.Status == KeyPersonStatus.Pending && !e.Overdue)
            .Select(e => (DateTimeOffset?)DecideByOf(e, within))
            .Min();
}
