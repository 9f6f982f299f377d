using System.Collections;
using System.Diagnostics;
using Xunit.Sdk;

namespace Sanmenxia.IntegrationTests.Support;

/// <summary>
/// How tests wait for state that settles asynchronously (roll-ups, reminders, a bootstrap, a cluster): poll with a
/// deadline, never sleep for the state. The short pause between polls is pacing, bounded by the deadline. Each
/// helper fails with what it was waiting for and the last value (or the last assertion failure) it saw.
/// </summary>
public static class Eventually
{
    /// <summary>The pause between two polls unless a caller asks for another.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value, and returns that value.</summary>
    /// <param name="because">What is awaited, e.g. "the township to count the entry".</param>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string because, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Timed out after {Seconds(timeout)} waiting for {because}; last value: {Describe(value)}");
            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it is true.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"Timed out after {Seconds(timeout)} waiting for {because}.");
            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>Polls a synchronous <paramref name="condition"/> (e.g. over a collection another task fills) until it is true.</summary>
    public static Task Until(Func<bool> condition, TimeSpan timeout, string because, TimeSpan? interval = null) =>
        Until(() => Task.FromResult(condition()), timeout, because, interval);

    /// <summary>
    /// Runs <paramref name="assertion"/> until it passes (no xunit assertion failure) and returns its result; at the
    /// deadline fails with <paramref name="because"/> and the last assertion failure. Other exceptions end the wait at once.
    /// </summary>
    public static async Task<T> Assert<T>(Func<Task<T>> assertion, TimeSpan timeout, string because, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await assertion();
            }
            catch (XunitException) when (clock.Elapsed <= timeout)
            {
                // not yet: retried after the pause below
            }
            catch (XunitException failure)
            {
                throw new XunitException($"Still failing after {Seconds(timeout)}: {because}.{Environment.NewLine}{failure.Message}", failure);
            }
            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>Runs <paramref name="assertion"/> until it passes; see <see cref="Assert{T}"/>.</summary>
    public static Task Assert(Func<Task> assertion, TimeSpan timeout, string because, TimeSpan? interval = null) =>
        Assert(async () => { await assertion(); return true; }, timeout, because, interval);

    /// <summary>
    /// Polls until the value is acceptable and has stayed equal for <paramref name="stableFor"/> (a count still
    /// climbing the region tree has settled), and returns it.
    /// </summary>
    public static async Task<T> Settles<T>(Func<Task<T>> probe, Func<T, bool> acceptable, TimeSpan stableFor, TimeSpan timeout, string because,
        TimeSpan? interval = null)
    {
        var since = Stopwatch.StartNew();
        var first = true;
        T last = default!;
        return await Until(probe, value =>
        {
            if (first || !acceptable(value) || !EqualityComparer<T>.Default.Equals(value, last))
            {
                (first, last) = (false, value);
                since.Restart();
                return false;
            }
            return since.Elapsed >= stableFor;
        }, timeout, because, interval);
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.#} s";

    private static string Describe(object? value)
    {
        var text = value switch
        {
            null => "null",
            string s => s,
            IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(i => i?.ToString())) + "]",
            _ => value.ToString() ?? "",
        };
        return text.Length <= 2000 ? text : text[..2000] + "…";
    }
}
