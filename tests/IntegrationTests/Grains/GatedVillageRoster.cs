using Sanmenxia.Platform.Stores;
using Sanmenxia.Residents;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// The in-memory village roster with a test-only gate on its reads: while closed, every village's load waits until it
/// opens, and the loads under way (and the most seen at once) are counted. Open unless a test closes it.
/// </summary>
public sealed class GatedVillageRoster : IVillageRoster
{
    private readonly InMemoryVillageRoster _inner = new();
    private readonly object _gate = new();
    private TaskCompletionSource? _closed;
    private int _loading;
    private int _maxLoading;

    public void Close()
    {
        lock (_gate)
        {
            _closed ??= new(TaskCreationOptions.RunContinuationsAsynchronously);
            _maxLoading = _loading;
        }
    }

    public void Open()
    {
        lock (_gate)
        {
            _closed?.TrySetResult();
            _closed = null;
        }
    }

    /// <summary>Loads under way now, and the most under way at once since the gate was last closed.</summary>
    public (int Loading, int MaxLoading) Snapshot()
    {
        lock (_gate) return (_loading, _maxLoading);
    }

    public async Task<IReadOnlyList<ResidentSummary>> LoadAsync(string villageCode, CancellationToken ct = default)
    {
        Task? closed;
        lock (_gate)
        {
            _loading++;
            _maxLoading = Math.Max(_maxLoading, _loading);
            closed = _closed?.Task;
        }
        try
        {
            if (closed is not null) await closed.WaitAsync(ct);
            return await _inner.LoadAsync(villageCode, ct);
        }
        finally
        {
            lock (_gate) _loading--;
        }
    }

    public Task SaveAsync(string villageCode, IReadOnlyCollection<ResidentSummary> changed, CancellationToken ct = default) =>
        _inner.SaveAsync(villageCode, changed, ct);
}
