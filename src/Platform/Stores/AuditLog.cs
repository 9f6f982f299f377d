using System.Collections.Concurrent;

namespace Sanmenxia.Platform.Stores;

/// <summary>
/// One line of "who looked at or changed whose personal data" (查得到, 可追溯). The subject is a
/// pseudonymous key, never a clear ID number.
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    string ActorId,
    string ActorRole,
    string Action,
    string? SubjectKey,
    string? RegionCode,
    string? Detail);

/// <param name="RegionPrefix">Only entries whose region code starts with this (an administrator's jurisdiction); entries without a
/// region are then left out too. Null: every entry (a city administrator).</param>
public sealed record AuditQuery(string? SubjectKey, string? ActorId, DateTimeOffset? From, DateTimeOffset? To, int Skip = 0, int Take = 100,
    string? RegionPrefix = null);

/// <summary>The append-only audit trail. <see cref="RecordAsync"/> returns once the entry is durable.</summary>
/// <remarks>There is no update or delete: the trail only grows (docs/security.md, "Append-only").</remarks>
public interface IAuditLog
{
    Task RecordAsync(AuditEntry entry, CancellationToken ct = default);
    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct = default);

    // The reader's members were added later (issue 19) with default bodies, so an existing implementation (a test double
    // that only records) still compiles; both real stores implement them.

    /// <summary>One page of the audit reader: newest first, keyset-paged by (at, id) after <see cref="AuditSearch.After"/>.</summary>
    Task<AuditPage> SearchAsync(AuditSearch search, CancellationToken ct = default) =>
        throw new NotSupportedException($"{GetType().Name} does not serve the audit reader.");

    /// <summary>Who read or changed this person's data: one row per actor, newest first ("who looked at this resident").</summary>
    Task<IReadOnlyList<AuditActorSummary>> ActorsOfSubjectAsync(string subjectKey, string? regionPrefix, CancellationToken ct = default) =>
        throw new NotSupportedException($"{GetType().Name} does not serve the audit reader.");
}

/// <summary>Where a page of the audit reader ends: the (at, id) of its last row. Opaque to the reader's users.</summary>
public readonly record struct AuditCursor(DateTimeOffset At, long Id);

/// <summary>The audit reader's filters; null is "any". All of them are combined (and).</summary>
/// <param name="RegionPrefix">Entries whose region code starts with this (a jurisdiction, or a region chosen within it);
/// entries without a region are then left out. Null: every entry (the city).</param>
/// <param name="BreakGlassOnly">Only break-the-glass entries (actions starting with <see cref="AuditActions.BreakGlassPrefix"/>).</param>
public sealed record AuditSearch(
    string? SubjectKey = null,
    string? ActorId = null,
    string? Action = null,
    string? RegionPrefix = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    bool BreakGlassOnly = false,
    AuditCursor? After = null,
    int Take = 100);

/// <summary>An entry with its position in the trail.</summary>
public sealed record AuditRecord(long Id, AuditEntry Entry);

/// <summary>A page of entries and the cursor of the next page (null: this was the last).</summary>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, AuditCursor? Next);

/// <summary>One actor who read or changed a person's data: how often, and when first and last.</summary>
public sealed record AuditActorSummary(string ActorId, string ActorRole, long Entries, DateTimeOffset First, DateTimeOffset Last);

/// <summary>Action names the audit reader treats specially.</summary>
public static class AuditActions
{
    /// <summary>Every break-the-glass action starts with this: opening a grant, and each read under one.</summary>
    public const string BreakGlassPrefix = "break-glass.";
    public const string BreakGlassOpen = "break-glass.open";
    public const string BreakGlassResidentRead = "break-glass.resident.read";
    public const string BreakGlassPassesRead = "break-glass.resident.passes.read";
    public const string AuditSearch = "audit.search";
    public const string AuditExport = "audit.export";
}

/// <summary>For tests and memory-provider runs only.</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly ConcurrentQueue<AuditEntry> _entries = new();
    private readonly List<AuditRecord> _records = [];

    public Task RecordAsync(AuditEntry entry, CancellationToken ct = default)
    {
        lock (_records)
        {
            _entries.Enqueue(entry);
            // Microseconds, as PostgreSQL keeps them: the reader's cursor carries no finer time.
            _records.Add(new AuditRecord(_records.Count + 1, entry with { At = entry.At.AddTicks(-(entry.At.UtcTicks % 10)) }));
        }
        return Task.CompletedTask;
    }

    public Task<AuditPage> SearchAsync(AuditSearch search, CancellationToken ct = default)
    {
        List<AuditRecord> matching;
        lock (_records) matching = _records.Where(r => Matches(search, r)).ToList();
        var page = matching.OrderByDescending(r => r.Entry.At).ThenByDescending(r => r.Id).Take(search.Take + 1).ToList();
        var next = page.Count > search.Take ? new AuditCursor(page[search.Take - 1].Entry.At, page[search.Take - 1].Id) : (AuditCursor?)null;
        return Task.FromResult(new AuditPage(page.Take(search.Take).ToList(), next));
    }

    public Task<IReadOnlyList<AuditActorSummary>> ActorsOfSubjectAsync(string subjectKey, string? regionPrefix, CancellationToken ct = default)
    {
        List<AuditRecord> matching;
        lock (_records) matching = _records.Where(r => Matches(new AuditSearch(SubjectKey: subjectKey, RegionPrefix: regionPrefix), r)).ToList();
        return Task.FromResult<IReadOnlyList<AuditActorSummary>>(matching
            .GroupBy(r => (r.Entry.ActorId, r.Entry.ActorRole))
            .Select(g => new AuditActorSummary(g.Key.ActorId, g.Key.ActorRole, g.LongCount(), g.Min(r => r.Entry.At), g.Max(r => r.Entry.At)))
            .OrderByDescending(s => s.Last).ToList());
    }

    private static bool Matches(AuditSearch q, AuditRecord r)
    {
        var e = r.Entry;
        return (q.SubjectKey is null || e.SubjectKey == q.SubjectKey) && (q.ActorId is null || e.ActorId == q.ActorId)
            && (q.Action is null || e.Action == q.Action)
            && (!q.BreakGlassOnly || e.Action.StartsWith(AuditActions.BreakGlassPrefix, StringComparison.Ordinal))
            && (q.RegionPrefix is null || e.RegionCode?.StartsWith(q.RegionPrefix, StringComparison.Ordinal) == true)
            && (q.From is null || e.At >= q.From) && (q.To is null || e.At < q.To)
            && (q.After is not { } after || e.At < after.At || (e.At == after.At && r.Id < after.Id));
    }

    public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>(_entries
            .Where(e => (query.SubjectKey is null || e.SubjectKey == query.SubjectKey) && (query.ActorId is null || e.ActorId == query.ActorId)
                        && (query.From is null || e.At >= query.From) && (query.To is null || e.At < query.To)
                        && (query.RegionPrefix is null || e.RegionCode?.StartsWith(query.RegionPrefix, StringComparison.Ordinal) == true))
            .OrderByDescending(e => e.At).Skip(query.Skip).Take(query.Take).ToList());
}
