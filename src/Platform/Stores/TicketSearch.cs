using Sanmenxia.Tickets;

namespace Sanmenxia.Platform.Stores;

/// <summary>A kind of ticket a search may return: the kind, and for reports the lead category.</summary>
public sealed record TicketKindFilter(TicketKind Kind, LeadCategory? Category);

/// <summary>
/// A search of the tickets read model (the Open311 GET requests): tickets received within [From, To] (both included) of
/// the given kinds, open ones, closed ones (closed or rejected) or both; newest first, at most <see cref="Take"/>.
/// </summary>
public sealed record TicketSearchQuery(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TicketKindFilter> Kinds, bool? Open, int Take);

/// <summary>Finds ticket numbers in the read model; the ticket itself is read from its grain.</summary>
public interface ITicketSearch
{
    Task<IReadOnlyList<string>> SearchAsync(TicketSearchQuery query, CancellationToken ct = default);
}

public sealed partial class InMemoryTicketStore : ITicketSearch
{
    public Task<IReadOnlyList<string>> SearchAsync(TicketSearchQuery q, CancellationToken ct = default)
    {
        List<TicketRow> rows;
        lock (_rows) rows = [.. _rows.Values];
        IReadOnlyList<string> numbers = rows
            .Where(r => r.CreatedAt >= q.From && r.CreatedAt <= q.To)
            .Where(r => q.Kinds.Any(k => k.Kind == r.Kind && (k.Category is null || k.Category == r.Category)))
            .Where(r => q.Open is null || r.IsOpen == q.Open)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Number, StringComparer.Ordinal)
            .Take(q.Take)
            .Select(r => r.Number)
            .ToList();
        return Task.FromResult(numbers);
    }
}
