using Microsoft.Extensions.Logging;
using Sanmenxia.Regions;

namespace Sanmenxia.Grains.Regions;

/// <summary>
/// The upward part of the roll-up, shared by villages, regions and checkpoints: the node's latest value (its counts or
/// totals), a <see cref="MonotonicVersion"/>, and the push to the parent region. The owner calls <see cref="Update"/>
/// whenever its value may have changed, and wakes for <see cref="PushAsync"/> after <see cref="DueIn"/>: at once when the
/// last push is an interval old (a lone change climbs without waiting), else when it is (a burst of changes is sent as one
/// push per interval). A value equal to the one already held is not sent again; a failed push stays unsent, retried one
/// interval after the attempt.
/// The parent keeps the newest version of each node, so a retried or reordered push is harmless.
/// </summary>
/// <param name="node">Names the node in log messages, e.g. "Village 411202001001".</param>
/// <param name="send">Sends a value with its version to the current parent (a no-op when there is none).</param>
public sealed class UpwardReporter<T>(string node, Func<T, long, Task> send, ILogger logger) where T : class
{
    private readonly MonotonicVersion _version = new();
    private long _lastPushMs = long.MinValue / 2; // real time: a fake or simulated domain clock must not hold pushes up

    /// <summary>The latest value; null until the first <see cref="Update"/>.</summary>
    public T? Latest { get; private set; }

    /// <summary>True while the latest value has not reached the parent: the owner should wake to push it.</summary>
    public bool Unsent { get; private set; }

    /// <summary>Records the latest value; a changed one (or the first) becomes unsent.</summary>
    public void Update(T value)
    {
        if (Latest is not null && EqualityComparer<T>.Default.Equals(Latest, value)) return;
        Latest = value;
        Unsent = true;
    }

    /// <summary>How long until the unsent value should be pushed, at most one push per <paramref name="interval"/>; null when nothing is unsent.</summary>
    public TimeSpan? DueIn(TimeSpan interval)
    {
        return Unsent ? NextPushIn(interval) : null;
    }

    /// <summary>How long until a push would be allowed, whether or not anything is unsent (an owner that sums lazily wakes then).</summary>
    public TimeSpan NextPushIn(TimeSpan interval)
    {
        var wait = interval.TotalMilliseconds - (Environment.TickCount64 - _lastPushMs);
        return wait > 0 ? TimeSpan.FromMilliseconds(wait) : TimeSpan.Zero;
    }

    /// <summary>Sends the latest value again on the next push, changed or not (e.g. after the parent changed).</summary>
    public void Resend() => Unsent = Latest is not null;

    /// <summary>A version for a report the owner sends itself (e.g. a zero to a former parent), ordered with the pushes.</summary>
    public long NextVersion() => _version.Next();

    /// <summary>Pushes the latest value if it is unsent; on failure logs it and keeps it unsent.</summary>
    public async Task PushAsync()
    {
        if (!Unsent || Latest is not { } value) return;
        Unsent = false; // a change arriving during the call makes it unsent again
        _lastPushMs = Environment.TickCount64;
        try
        {
            await send(value, _version.Next());
        }
        catch (Exception e)
        {
            Unsent = true;
            logger.LogWarning("{Node} could not report to its parent: {Error}; retrying", node, e.GetType().Name);
        }
    }
}
