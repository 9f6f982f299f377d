namespace Sanmenxia.Platform.Stores;

/// <summary>
/// The deletions of the retention job and of a resident's erasure that the other stores do not offer: each call deletes
/// at most one bounded batch, so no statement holds long locks (docs/data-governance.md).
/// </summary>
public interface IRetentionStore
{
    /// <summary>Up to <paramref name="take"/> tickets closed or rejected before the cutoff, oldest first.</summary>
    Task<IReadOnlyList<string>> ClosedTicketsBeforeAsync(DateTimeOffset cutoff, int take, CancellationToken ct = default);
    /// <summary>Deletes these tickets' rows (their grains were cleared first); returns how many.</summary>
    Task<int> DeleteTicketRowsAsync(IReadOnlyList<string> numbers, CancellationToken ct = default);
    /// <summary>Deletes at most <paramref name="batchSize"/> of one resident's checkpoint pass rows; returns how many.</summary>
    Task<int> DeleteResidentPassesAsync(string residentKey, int batchSize, CancellationToken ct = default);
    /// <summary>
    /// Deletes the grain-state rows left without a payload (cleared) before the cutoff in one slice of the table:
    /// <paramref name="pages"/> pages from <paramref name="fromPage"/>. The caller walks the table slice by slice, from
    /// page 0 until <see cref="ClearedRowsSlice.NextPage"/> is null.
    /// </summary>
    Task<ClearedRowsSlice> DeleteClearedGrainStateAsync(DateTimeOffset clearedBefore, long fromPage, int pages, CancellationToken ct = default);
}

/// <summary>What one slice of the cleared-rows sweep deleted, and where the next slice starts (null: the table's end).</summary>
public readonly record struct ClearedRowsSlice(int Deleted, long? NextPage);

/// <summary>For tests and memory-provider runs only: acts on the in-memory ticket and pass stores.</summary>
public sealed class InMemoryRetentionStore(ITicketStore tickets, IPassStore passes) : IRetentionStore
{
    public Task<IReadOnlyList<string>> ClosedTicketsBeforeAsync(DateTimeOffset cutoff, int take, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<string>>(tickets is InMemoryTicketStore memory ? memory.ClosedBefore(cutoff, take) : []);

    public Task<int> DeleteTicketRowsAsync(IReadOnlyList<string> numbers, CancellationToken ct = default) =>
        Task.FromResult(tickets is InMemoryTicketStore memory ? memory.Remove(numbers) : 0);

    public Task<int> DeleteResidentPassesAsync(string residentKey, int batchSize, CancellationToken ct = default) =>
        Task.FromResult(passes is InMemoryPassStore memory ? memory.RemoveResident(residentKey, batchSize) : 0);

    // The memory grain storage keeps no rows for cleared state.
    public Task<ClearedRowsSlice> DeleteClearedGrainStateAsync(DateTimeOffset clearedBefore, long fromPage, int pages, CancellationToken ct = default) =>
        Task.FromResult(new ClearedRowsSlice(0, null));
}
