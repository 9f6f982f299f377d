using Sanmenxia.Checkpoints;

namespace Sanmenxia.Platform.Stores;

/// <summary>One checkpoint's aggregate for one day (the checkpoint_daily table).</summary>
public sealed record CheckpointDaily(string CheckpointId, string RegionCode, CheckpointDayCounts Counts);

/// <summary>
/// The append-only pass records (the checkpoint_passes table in PostgreSQL). <see cref="AppendAsync"/> completes only
/// once the row is durable, so a checkpoint counts a pass only after the store has it.
/// </summary>
public interface IPassStore
{
    Task AppendAsync(PassRecord pass, CancellationToken ct = default);
    /// <summary>
    /// Appends passes recorded offline (each with a <see cref="PassRecord.ClientId"/>), skipping any whose client id is
    /// already stored (a unique key): returns the client ids this call added. Completes once they are durable.
    /// </summary>
    Task<IReadOnlySet<Guid>> AppendOfflineAsync(IReadOnlyList<PassRecord> passes, CancellationToken ct = default);
    /// <summary>A checkpoint's passes with from ≤ at &lt; to, oldest first.</summary>
    Task<IReadOnlyList<PassRecord>> ForCheckpointAsync(string checkpointId, DateTimeOffset from, DateTimeOffset to, int skip, int take, CancellationToken ct = default);
    Task<int> CountForCheckpointAsync(string checkpointId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);
    /// <summary>A resident's passes with from ≤ at &lt; to, newest first.</summary>
    Task<IReadOnlyList<PassRecord>> ForResidentAsync(string residentKey, DateTimeOffset from, DateTimeOffset to, int take, CancellationToken ct = default);
    /// <summary>Deletes at most <paramref name="batchSize"/> rows older than the cutoff; returns how many it deleted.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken ct = default);
    Task UpsertDailyAsync(CheckpointDaily daily, CancellationToken ct = default);
    Task<IReadOnlyList<CheckpointDayCounts>> DailyAsync(string checkpointId, DateOnly from, DateOnly to, CancellationToken ct = default);
}

/// <summary>For tests and memory-provider runs only.</summary>
public sealed class InMemoryPassStore : IPassStore
{
    private readonly List<PassRecord> _passes = [];
    private readonly Dictionary<(string, DateOnly), CheckpointDaily> _daily = [];

    public Task AppendAsync(PassRecord pass, CancellationToken ct = default)
    {
        lock (_passes) _passes.Add(pass);
        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<Guid>> AppendOfflineAsync(IReadOnlyList<PassRecord> passes, CancellationToken ct = default)
    {
        var added = new HashSet<Guid>();
        lock (_passes)
        {
            var known = _passes.Where(p => p.ClientId is not null).Select(p => p.ClientId!.Value).ToHashSet();
            foreach (var pass in passes)
            {
                var id = pass.ClientId ?? throw new ArgumentException("An offline pass has a client id.", nameof(passes));
                if (!known.Add(id)) continue;
                _passes.Add(pass);
                added.Add(id);
            }
        }
        return Task.FromResult<IReadOnlySet<Guid>>(added);
    }

    public Task<IReadOnlyList<PassRecord>> ForCheckpointAsync(string checkpointId, DateTimeOffset from, DateTimeOffset to, int skip, int take, CancellationToken ct = default)
    {
        lock (_passes)
            return Task.FromResult<IReadOnlyList<PassRecord>>(_passes.Where(p => p.CheckpointId == checkpointId && p.At >= from && p.At < to)
                .OrderBy(p => p.At).Skip(skip).Take(take).ToList());
    }

    public Task<int> CountForCheckpointAsync(string checkpointId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        lock (_passes) return Task.FromResult(_passes.Count(p => p.CheckpointId == checkpointId && p.At >= from && p.At < to));
    }

    public Task<IReadOnlyList<PassRecord>> ForResidentAsync(string residentKey, DateTimeOffset from, DateTimeOffset to, int take, CancellationToken ct = default)
    {
        lock (_passes)
            return Task.FromResult<IReadOnlyList<PassRecord>>(_passes.Where(p => p.ResidentKey == residentKey && p.At >= from && p.At < to)
                .OrderByDescending(p => p.At).Take(take).ToList());
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken ct = default)
    {
        lock (_passes)
        {
            var doomed = _passes.Where(p => p.At < cutoff).Take(batchSize).ToHashSet();
            _passes.RemoveAll(doomed.Contains);
            return Task.FromResult(doomed.Count);
        }
    }

    public Task UpsertDailyAsync(CheckpointDaily daily, CancellationToken ct = default)
    {
        lock (_daily) _daily[(daily.CheckpointId, daily.Counts.Day)] = daily;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CheckpointDayCounts>> DailyAsync(string checkpointId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        lock (_daily)
            return Task.FromResult<IReadOnlyList<CheckpointDayCounts>>(_daily.Values
                .Where(d => d.CheckpointId == checkpointId && d.Counts.Day >= from && d.Counts.Day <= to)
                .Select(d => d.Counts).OrderBy(d => d.Day).ToList());
    }

    /// <summary>Deletes at most <paramref name="batchSize"/> of one resident's rows (erasure); returns how many.</summary>
    public int RemoveResident(string residentKey, int batchSize)
    {
        lock (_passes)
        {
            var doomed = _passes.Where(p => p.ResidentKey == residentKey).Take(batchSize).ToHashSet();
            _passes.RemoveAll(doomed.Contains);
            return doomed.Count;
        }
    }

    /// <summary>Every row (tests).</summary>
    public int Count { get { lock (_passes) return _passes.Count; } }
}
