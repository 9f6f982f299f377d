namespace Sanmenxia.Tickets;

/// <summary>The deadlines (domain time). Defaults: accept within 2 h, handle within 24 h, close within 72 h of receipt.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketDeadlinePolicy")]
public sealed record TicketDeadlinePolicy
{
    public static TicketDeadlinePolicy Default { get; } = new();
    /// <summary>From receipt to acceptance (or rejection).</summary>
    [Id(0)] public TimeSpan AcceptWithin { get; init; } = TimeSpan.FromHours(2);
    /// <summary>From acceptance (or a reopening, or the hand-over to the supervisor) to the handler's result.</summary>
    [Id(1)] public TimeSpan HandleWithin { get; init; } = TimeSpan.FromHours(24);
    /// <summary>From receipt to closing; also bounds the handling window.</summary>
    [Id(2)] public TimeSpan CloseWithin { get; init; } = TimeSpan.FromHours(72);
    /// <summary>An overdue ticket climbs one more level of the region tree each time this much more passes.</summary>
    [Id(3)] public TimeSpan EscalateEvery { get; init; } = TimeSpan.FromHours(24);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        foreach (var (name, value) in new[] { ("AcceptWithin", AcceptWithin), ("HandleWithin", HandleWithin), ("CloseWithin", CloseWithin), ("EscalateEvery", EscalateEvery) })
            if (value <= TimeSpan.Zero) problems.Add($"{name} must be positive.");
        return problems;
    }
}
