using System.Globalization;
using Sanmenxia.Tickets;

namespace Sanmenxia.Platform.Stores;

/// <summary>
/// A ticket's line in the tickets read model (migration 0008): what queues and figures need, no personal data. The
/// ticket grain upserts it on every change; <see cref="Version"/> decides, so a late or repeated write never wins over
/// a newer one.
/// </summary>
public sealed record TicketRow(
    string Number,
    TicketState State,
    TicketKind Kind,
    LeadCategory? Category,
    TicketSource Source,
    string RegionCode,
    AssigneeKind? AssigneeKind,
    string? Assignee,
    bool Overdue,
    DateTimeOffset? OverdueSince,
    int EscalationLevel,
    string? EscalatedTo,
    DateTimeOffset? DueAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? RejectedAt,
    DateTimeOffset? ClosedAt,
    long Version)
{
    public static TicketRow From(Ticket t) => new(t.Number, t.State, t.Kind, t.Category, t.Source, t.Location.Region.Value,
        t.Assignee?.Kind, t.Assignee?.Code, t.Overdue, t.OverdueSince, t.EscalationLevel, t.EscalatedTo?.Value, t.DueAt,
        t.ReceivedAt, t.UpdatedAt, t.AcceptedAt, t.RejectedAt, t.ClosedAt, t.Version);

    public bool IsOpen => State is not (TicketState.Closed or TicketState.Rejected);

    /// <summary>Overdue as of <paramref name="now"/>: flagged by the grain, or past its due time already.</summary>
    public bool OverdueAt(DateTimeOffset now) => IsOpen && (Overdue || DueAt <= now);
}

/// <summary>Where a queue page ended: the next page starts after it. Opaque to clients.</summary>
public sealed record TicketCursor(bool Overdue, DateTimeOffset DueAt, string Number)
{
    public string Encode() => string.Create(CultureInfo.InvariantCulture, $"{(Overdue ? 0 : 1)}.{DueAt.UtcTicks}.{Number}");

    public static bool TryDecode(string? text, out TicketCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text)) return true;
        var parts = text.Split('.', 3);
        if (parts.Length != 3 || parts[0] is not ("0" or "1") || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks || !TicketNumbers.IsValid(parts[2]))
            return false;
        cursor = new TicketCursor(parts[0] == "0", new DateTimeOffset(ticks, TimeSpan.Zero), parts[2]);
        return true;
    }
}

/// <summary>
/// A queue: open tickets, overdue first, then by due time, then by number; keyset-paged. Filters combine: a region
/// prefix (a jurisdiction: the code itself, or the city's four digits), a department or village assignee, a state,
/// escalated only.
/// </summary>
public sealed record TicketQueueQuery(
    DateTimeOffset Now,
    string? RegionPrefix = null,
    string? Department = null,
    string? Village = null,
    TicketState? State = null,
    bool EscalatedOnly = false,
    int Take = 50,
    TicketCursor? After = null);

/// <summary>A window [Start, End) of the figures, e.g. one day in the city's calendar, or the whole period.</summary>
public sealed record TicketWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// The figures leaders watch, for one window: received, accepted, rejected and closed in the window; open and overdue at
/// its end (or now, if sooner); the closing rate of the tickets accepted in it (closed ÷ accepted); the median and 90th
/// percentile of receipt-to-close time of the tickets closed in it (hours, percentile_cont).
/// </summary>
public sealed record TicketFigures(
    TicketWindow Window,
    int Received,
    int Accepted,
    int Rejected,
    int Closed,
    int Open,
    int Overdue,
    double? ClosingRate,
    double? MedianHoursToClose,
    double? P90HoursToClose);

/// <summary>The tickets read model: the grain writes, queues and figures read.</summary>
public interface ITicketStore
{
    /// <summary>Inserts or replaces the row, unless the stored one has a newer (or the same) version.</summary>
    Task UpsertAsync(TicketRow row, CancellationToken ct = default);
    Task<TicketRow?> GetAsync(string number, CancellationToken ct = default);
    Task<IReadOnlyList<TicketRow>> QueueAsync(TicketQueueQuery query, CancellationToken ct = default);
    /// <summary>One line per window, in the windows' order, over the tickets located within the region prefix.</summary>
    Task<IReadOnlyList<TicketFigures>> FiguresAsync(string regionPrefix, IReadOnlyList<TicketWindow> windows, DateTimeOffset now, CancellationToken ct = default);
}

/// <summary>For tests and memory-provider runs only; computes exactly what the PostgreSQL store's SQL computes.</summary>
public sealed partial class InMemoryTicketStore : ITicketStore
{
    private readonly Dictionary<string, TicketRow> _rows = new(StringComparer.Ordinal);

    public Task UpsertAsync(TicketRow row, CancellationToken ct = default)
    {
        lock (_rows)
            if (!_rows.TryGetValue(row.Number, out var old) || old.Version < row.Version) _rows[row.Number] = row;
        return Task.CompletedTask;
    }

    public Task<TicketRow?> GetAsync(string number, CancellationToken ct = default)
    {
        lock (_rows) return Task.FromResult(_rows.GetValueOrDefault(number));
    }

    /// <summary>Closed or rejected tickets before the cutoff, oldest first (retention).</summary>
    public IReadOnlyList<string> ClosedBefore(DateTimeOffset cutoff, int take)
    {
        lock (_rows)
            return _rows.Values.Where(r => !r.IsOpen && (r.ClosedAt ?? r.RejectedAt ?? r.UpdatedAt) < cutoff)
                .OrderBy(r => r.ClosedAt ?? r.RejectedAt ?? r.UpdatedAt).Take(take).Select(r => r.Number).ToList();
    }

    /// <summary>Deletes rows (retention); returns how many were there.</summary>
    public int Remove(IEnumerable<string> numbers)
    {
        lock (_rows) return numbers.Count(_rows.Remove);
    }

    public Task<IReadOnlyList<TicketRow>> QueueAsync(TicketQueueQuery q, CancellationToken ct = default)
    {
        List<TicketRow> rows;
        lock (_rows) rows = [.. _rows.Values];
        var ordered = rows
            .Where(r => r.IsOpen && r.DueAt is not null)
            .Where(r => q.RegionPrefix is null || r.RegionCode.StartsWith(q.RegionPrefix, StringComparison.Ordinal))
            .Where(r => q.Department is null || (r.AssigneeKind == AssigneeKind.Department && r.Assignee == q.Department))
            .Where(r => q.Village is null || (r.AssigneeKind == AssigneeKind.Village && r.Assignee == q.Village))
            .Where(r => q.State is null || r.State == q.State)
            .Where(r => !q.EscalatedOnly || r.EscalationLevel > 0)
            .Select(r => (Row: r, Key: (Rank: r.OverdueAt(q.Now) ? 0 : 1, Due: r.DueAt!.Value.UtcTicks, r.Number)))
            .Where(x => q.After is null || Compare(x.Key, (q.After.Overdue ? 0 : 1, q.After.DueAt.UtcTicks, q.After.Number)) > 0)
            .OrderBy(x => x.Key.Rank).ThenBy(x => x.Key.Due).ThenBy(x => x.Key.Number, StringComparer.Ordinal)
            .Take(q.Take)
            .Select(x => x.Row)
            .ToList();
        return Task.FromResult<IReadOnlyList<TicketRow>>(ordered);
    }

    private static int Compare((int, long, string) a, (int, long, string) b)
    {
        var c = a.Item1.CompareTo(b.Item1);
        if (c != 0) return c;
        c = a.Item2.CompareTo(b.Item2);
        return c != 0 ? c : string.CompareOrdinal(a.Item3, b.Item3);
    }

    public Task<IReadOnlyList<TicketFigures>> FiguresAsync(string regionPrefix, IReadOnlyList<TicketWindow> windows, DateTimeOffset now, CancellationToken ct = default)
    {
        List<TicketRow> rows;
        lock (_rows) rows = _rows.Values.Where(r => r.RegionCode.StartsWith(regionPrefix, StringComparison.Ordinal)).ToList();
        var result = windows.Select(w =>
        {
            bool In(DateTimeOffset? at) => at >= w.Start && at < w.End;
            var cut = w.End < now ? w.End : now;
            var open = rows.Where(r => r.CreatedAt < cut && !(r.ClosedAt < cut) && !(r.RejectedAt < cut)).ToList();
            var accepted = rows.Where(r => In(r.AcceptedAt)).ToList();
            var hours = rows.Where(r => In(r.ClosedAt)).Select(r => (r.ClosedAt!.Value - r.CreatedAt).TotalHours).Order().ToList();
            return new TicketFigures(w,
                rows.Count(r => In(r.CreatedAt)), accepted.Count, rows.Count(r => In(r.RejectedAt)), hours.Count,
                open.Count, open.Count(r => (r.OverdueSince ?? (r.DueAt <= now ? r.DueAt : null)) < cut),
                accepted.Count == 0 ? null : (double)accepted.Count(r => r.ClosedAt is not null) / accepted.Count,
                Percentile(hours, 0.5), Percentile(hours, 0.9));
        }).ToList();
        return Task.FromResult<IReadOnlyList<TicketFigures>>(result);
    }

    /// <summary>PostgreSQL's percentile_cont: linear interpolation between the two nearest ranks.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return null;
        var position = p * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
