using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// Test-only watch on one region's pulls of its children's counts (<see cref="IVillageGrain.GetCountsAsync"/> and
/// <see cref="IRegionGrain.GetCountsAsync"/> called by that region's activation), as a silo-wide outgoing grain call
/// filter: counts the pulls in flight and the most seen at once, can hold every pull until the test lets it go one by
/// one, and can fail a child's first pulls. Off unless a test names a region, and back off after.
/// </summary>
public sealed class ChildPullFaults : IOutgoingGrainCallFilter
{
    private readonly object _gate = new();
    private string? _region;
    private bool _hold;
    private readonly Queue<TaskCompletionSource> _held = new();
    private readonly Dictionary<string, int> _toFail = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>Watches the pulls made by <paramref name="regionCode"/>; with <paramref name="hold"/>, each waits for <see cref="ReleaseOne"/>.</summary>
    public void Watch(string regionCode, bool hold = false, IReadOnlyDictionary<string, int>? failFirst = null)
    {
        lock (_gate)
        {
            _region = regionCode;
            _hold = hold;
            _toFail.Clear();
            foreach (var (child, times) in failFirst ?? new Dictionary<string, int>()) _toFail[child] = times;
            _failed.Clear();
            _answered.Clear();
            _inFlight = 0;
            _maxInFlight = 0;
        }
    }

    /// <summary>Stops watching; held pulls go on.</summary>
    public void Recover()
    {
        lock (_gate)
        {
            _region = null;
            _hold = false;
            while (_held.TryDequeue(out var held)) held.TrySetResult();
        }
    }

    /// <summary>Lets the oldest held pull go; false when none is held.</summary>
    public bool ReleaseOne()
    {
        lock (_gate)
        {
            if (!_held.TryDequeue(out var held)) return false;
            held.TrySetResult();
            return true;
        }
    }

    public (int InFlight, int MaxInFlight, int Held) Snapshot()
    {
        lock (_gate) return (_inFlight, _maxInFlight, _held.Count);
    }

    /// <summary>The children whose pull succeeded, and how often each child's pull was failed.</summary>
    public (IReadOnlySet<string> Answered, IReadOnlyDictionary<string, int> Failed) Outcome()
    {
        lock (_gate) return (_answered.ToHashSet(StringComparer.Ordinal), new Dictionary<string, int>(_failed, StringComparer.Ordinal));
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var method = context.InterfaceMethod;
        var isPull = method is not null && method.Name is nameof(IVillageGrain.GetCountsAsync)
            && (method.DeclaringType == typeof(IVillageGrain) || method.DeclaringType == typeof(IRegionGrain));
        var child = context.TargetId.Key.ToString();
        Task? held = null;
        lock (_gate)
        {
            if (!isPull || _region is null || context.SourceContext?.GrainId is not { } source || source.Key.ToString() != _region
                || source == context.TargetId) // the region's call to itself (RollupHandover) is no pull
                isPull = false;
            else
            {
                _inFlight++;
                _maxInFlight = Math.Max(_maxInFlight, _inFlight);
                if (_toFail.TryGetValue(child, out var left) && left > 0)
                {
                    _toFail[child] = left - 1;
                    _failed[child] = _failed.GetValueOrDefault(child) + 1;
                    _inFlight--;
                    throw new TimeoutException("test: the child's pull timed out");
                }
                if (_hold)
                {
                    var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _held.Enqueue(release);
                    held = release.Task;
                }
            }
        }
        if (!isPull)
        {
            await context.Invoke();
            return;
        }
        try
        {
            if (held is not null) await held;
            await context.Invoke();
            lock (_gate) _answered.Add(child);
        }
        finally
        {
            lock (_gate) _inFlight--;
        }
    }
}
