using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// A region's pull of its inputs after it activates (its children's counts, its checkpoints' totals, its ticket
/// tallies): first the list of inputs (from the directories), then each input, at most <c>inFlight</c> at once for this
/// region and one silo-wide slot each (<see cref="Platform.Time.RollupPullThrottle"/>), the others waiting their turn. A
/// call that fails (a timeout while the silo is busy, an input that cannot activate yet) is made again after a pause
/// that doubles with each of its failures, up to 30 s, until every input has answered once. An input that reported on
/// its own meanwhile is not asked (its push is newer than a pull could be).
/// Runs in the background on the grain's scheduler, so the activation answers at once with what it has, and the counts
/// climb as the inputs answer. Before, the activation awaited every pull: after a restart the city's first call
/// activated all 2,700 villages of the city at once, every roll-up call of the storm timed out, and one failed pull
/// failed the whole activation (docs/dashboard.md, "Recovery").
/// </summary>
internal sealed class ChildPuller
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(30);

    /// <summary>An input to ask: a name for logs, whether the region holds it already, and the call that returns how to take its answer.</summary>
    public readonly record struct Input(string Name, Func<bool> Known, Func<Task<Action>> Pull);

    private readonly Queue<Input> _waiting = new();
    private readonly Func<Task<IDisposable>> _slot;
    private readonly TimeSpan _pause;
    private readonly string _node;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private int _total;
    private bool _pulling = true;

    private ChildPuller(Func<Task<IDisposable>> slot, TimeSpan pause, string node, ILogger logger)
    {
        _slot = slot;
        _pause = pause > TimeSpan.Zero ? pause : TimeSpan.FromMilliseconds(1);
        _node = node;
        _logger = logger;
    }

    /// <summary>
    /// Starts finding and pulling the inputs; call on the grain's scheduler (e.g. from its activation): the calls and the
    /// answers' actions then run as turns of the grain, never two at once, and nothing of it holds the activation up.
    /// </summary>
    /// <param name="discover">Lists the inputs (asked again after a pause while it fails).</param>
    /// <param name="slot">Waits for a silo-wide slot for one call; disposing it gives the slot back.</param>
    public static ChildPuller Start(Func<Task<IReadOnlyList<Input>>> discover, int inFlight, TimeSpan pause,
        Func<Task<IDisposable>> slot, string node, ILogger logger)
    {
        var puller = new ChildPuller(slot, pause, node, logger);
        _ = puller.RunAsync(discover, Math.Max(1, inFlight));
        return puller;
    }

    /// <summary>True until every input has answered once (or the puller stopped).</summary>
    public bool Pulling => _pulling && !_stop.IsCancellationRequested;

    /// <summary>Stops asking (the activation is ending): a call under way is not waited for and its answer is dropped.</summary>
    public void Stop() => _stop.Cancel();

    private async Task RunAsync(Func<Task<IReadOnlyList<Input>>> discover, int inFlight)
    {
        try
        {
            IReadOnlyList<Input>? inputs = null;
            while (inputs is null)
            {
                try
                {
                    using (await _slot()) inputs = await discover();
                }
                catch (Exception e) when (!_stop.IsCancellationRequested)
                {
                    await PauseAfterFailureAsync("its list of inputs", e);
                }
            }
            _total = inputs.Count;
            foreach (var input in inputs) _waiting.Enqueue(input);
            await Task.WhenAll(Enumerable.Range(0, Math.Min(inFlight, Math.Max(1, inputs.Count))).Select(_ => WorkAsync()));
            _pulling = false;
            _logger.LogInformation("{Node} has the counts of its {Inputs} inputs ({Retried} asked again) after {Elapsed} ms",
                _node, _total, _failures.Count, _elapsed.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "{Node} stopped pulling its inputs", _node);
        }
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested && _waiting.TryDequeue(out var input))
        {
            if (input.Known()) continue;
            try
            {
                Action take;
                using (await _slot()) take = await input.Pull();
                if (_stop.IsCancellationRequested) return;
                if (!input.Known()) take();
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                // The worker holds its place while it pauses: a failure usually means the silo is busy.
                await PauseAfterFailureAsync(input.Name, e);
                _waiting.Enqueue(input);
            }
        }
    }

    private async Task PauseAfterFailureAsync(string what, Exception e)
    {
        var failures = _failures[what] = _failures.GetValueOrDefault(what) + 1;
        var pause = TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, _pause.Ticks << Math.Min(failures - 1, 20)));
        // One line per input (its first failure): a storm fails many pulls once, and the flood guard would hide the rest.
        if (failures == 1)
            _logger.LogInformation("{Node} could not pull {Input} ({Error}); asking again in {Pause}, longer after each further failure",
                _node, what, e.GetType().Name, pause);
        else if (failures == 5)
            _logger.LogWarning("{Node} still could not pull {Input} after {Failures} attempts ({Error}); asking again every {Pause} at most",
                _node, what, failures, e.GetType().Name, MaxPause);
        await Task.Delay(pause, _stop.Token);
    }
}
