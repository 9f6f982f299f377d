using Npgsql;

namespace Sanmenxia.Persistence;

/// <summary>
/// When a batch of several callers' items fails, was it one item's fault? A data error (a value PostgreSQL refuses,
/// such as a zero byte in text, or one the client cannot encode) fails the whole statement and rolls it back, so the
/// batch is split and written again half by half until the bad item fails alone and everyone else's succeeds. A
/// connection, timeout or server failure is nobody's item: it still fails the batch as a whole.
/// </summary>
public static class BatchIsolation
{
    public static bool IsItemError(Exception exception) => exception switch
    {
        // 22: data exception (invalid byte sequence 22021, untranslatable character 22P05, value too long, …);
        // 23: integrity constraint violation (a duplicate key, a check); 54: program limit exceeded (a row too large).
        PostgresException pg => pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("23", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("54", StringComparison.Ordinal),
        // Any other Npgsql failure is the connection's (I/O, timeout, a broken protocol stream).
        NpgsqlException => false,
        // Raised while encoding a parameter, before anything was sent: an unpaired surrogate in text, a value out of range.
        ArgumentException or FormatException or InvalidCastException or OverflowException => true,
        _ => false,
    };

    /// <summary>
    /// Runs <paramref name="write"/> on <paramref name="items"/>; when it fails with an item error and there is more than
    /// one item, runs it on each half instead (recursively). <paramref name="fail"/> receives each item that failed and
    /// the error that failed it; items never passed to <paramref name="fail"/> were written.
    /// </summary>
    public static async Task WriteIsolatingAsync<T>(IReadOnlyList<T> items, Func<IReadOnlyList<T>, Task> write, Action<IReadOnlyList<T>, Exception> fail)
    {
        try
        {
            await write(items).ConfigureAwait(false);
        }
        catch (Exception e) when (items.Count > 1 && IsItemError(e))
        {
            var half = items.Count / 2;
            await WriteIsolatingAsync(Slice(items, 0, half), write, fail).ConfigureAwait(false);
            await WriteIsolatingAsync(Slice(items, half, items.Count - half), write, fail).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            fail(items, e);
        }
    }

    private static List<T> Slice<T>(IReadOnlyList<T> items, int start, int count)
    {
        var slice = new List<T>(count);
        for (var i = start; i < start + count; i++) slice.Add(items[i]);
        return slice;
    }
}
