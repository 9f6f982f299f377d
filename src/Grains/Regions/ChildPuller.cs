using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// A region's pull of its children's counts after it activates: at most <c>inFlight</c> children asked at once, the
/// others waiting their turn, and a child whose pull fails (a timeout while the silo is busy, a child that cannot
/// activate yet) asked again after a pause that doubles with each of its failures, until every child has answered once.
/// A child that reported on its own meanwhile is not asked (its push is newer than a pull could be).
/// Runs in the background on the grain's scheduler, so the activation answers at once with what it has, and the counts
/// climb as the children answer; without the bound, the city's first call after a restart activated all 2,700 villages
/// of the city at once, and every roll-up call of the storm timed out (docs/dashboard.md, "Recovery").
/// </summary>
internal sealed class ChildPuller
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(30);

    /// <summary>A child to ask: its code and the call that returns its counts.</summary>
    public readonly record struct Child(string Code, Func<Task<RegionCounts>> Pull);

    private readonly Queue<Child> _waiting;
    private readonly Func<string, bool> _known;
    private readonly Action<string, RegionCounts> _answered;
    private readonly TimeSpan _pause;
    private readonly string _node;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly int _total;
    private int _workers;

    private ChildPuller(IReadOnlyList<Child> children, Func<string, bool> known, Action<string, RegionCounts> answered, TimeSpan pause,
        string node, ILogger logger)
    {
        _waiting = new(children);
        _total = children.Count;
        _known = known;
        _answered = answered;
        _pause = pause > TimeSpan.Zero ? pause : TimeSpan.FromMilliseconds(1);
        _node = node;
        _logger = logger;
    }

    /// <summary>
    /// Starts pulling; call on the grain's scheduler (e.g. from its activation): the pulls and <paramref name="answered"/>
    /// then run as turns of the grain, never two at once.
    /// </summary>
    /// <param name="known">Whether the region already holds the child's counts (it reported on its own): then it is not asked.</param>
    /// <param name="answered">Takes a child's pulled counts.</param>
    public static ChildPuller Start(IReadOnlyList<Child> children, int inFlight, TimeSpan pause, Func<string, bool> known,
        Action<string, RegionCounts> answered, string node, ILogger logger)
    {
        var puller = new ChildPuller(children, known, answered, pause, node, logger);
        var workers = Math.Min(Math.Max(1, inFlight), children.Count);
        puller._workers = workers;
        for (var i = 0; i < workers; i++) _ = puller.WorkAsync();
        return puller;
    }

    /// <summary>True while some child has not answered yet.</summary>
    public bool Pulling => _workers > 0;

    /// <summary>Stops asking (the activation is ending): a pull under way is not waited for and its answer is dropped.</summary>
    public void Stop() => _stop.Cancel();

    private async Task WorkAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested && _waiting.TryDequeue(out var child))
            {
                if (_known(child.Code)) continue;
                try
                {
                    var counts = await child.Pull();
                    if (!_stop.IsCancellationRequested) _answered(child.Code, counts);
                }
                catch (Exception e) when (!_stop.IsCancellationRequested)
                {
                    var failures = _failures[child.Code] = _failures.GetValueOrDefault(child.Code) + 1;
                    var pause = TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, _pause.Ticks << Math.Min(failures - 1, 20)));
                    _logger.LogWarning("{Node} could not pull the counts of child {Child} ({Error}, {Failures} so far); asking again in {Pause}",
                        _node, child.Code, e.GetType().Name, failures, pause);
                    // The worker holds its place while it pauses: a failure usually means the silo is busy.
                    await Task.Delay(pause, _stop.Token);
                    _waiting.Enqueue(child);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "{Node} stopped pulling its children's counts", _node);
        }
        finally
        {
            if (--_workers == 0 && !_stop.IsCancellationRequested)
                _logger.LogInformation("{Node} has the counts of its {Children} children ({Retried} asked again) after {Elapsed} ms",
                    _node, _total, _failures.Count, _elapsed.ElapsedMilliseconds);
        }
    }
}
