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
public interface IAuditLog
{
    Task RecordAsync(AuditEntry entry, CancellationToken ct = default);
    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct = default);
}

/// <summary>For tests and memory-provider runs only.</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly ConcurrentQueue<AuditEntry> _entries = new();

    public Task RecordAsync(AuditEntry entry, CancellationToken ct = default)
    {
        _entries.Enqueue(entry);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>(_entries
            .Where(e => (query.SubjectKey is null || e.SubjectKey == query.SubjectKey) && (query.ActorId is null || e.ActorId == query.ActorId)
                        && (query.From is null || e.At >= query.From) && (query.To is null || e.At < query.To)
                        && (query.RegionPrefix is null || e.RegionCode?.StartsWith(query.RegionPrefix, StringComparison.Ordinal) == true))
            .OrderByDescending(e => e.At).Skip(query.Skip).Take(query.Take).ToList());
}
