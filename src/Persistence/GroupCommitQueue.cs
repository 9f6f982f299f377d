using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Sanmenxia.Persistence;

/// <summary>
/// Group commit for the project's own tables (audit log, pass records, daily history, village rows): callers enqueue
/// items, writer loops each take what has queued (up to a batch size) and write it with one round trip and one
/// commit, and every caller's task completes only after its batch committed, or fails with the batch's exception.
/// A batch refused for one item's data is split until that item fails alone (<see cref="BatchIsolation"/>).
/// No timer: a lone item goes out at once, and batches grow by themselves while the previous ones commit.
/// </summary>
internal sealed class GroupCommitQueue<T> : IAsyncDisposable
{
    private readonly Channel<(T Item, TaskCompletionSource Done)> _queue;
    private readonly Func<IReadOnlyList<T>, Task> _writeBatch;
    private readonly Func<T, int> _weight;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly string _what;
    private readonly Task[] _writers;

    /// <param name="writeBatch">Writes one batch in one transaction; must not return before it committed.</param>
    /// <param name="weight">Rows an item stands for (an item may carry several); 1 by default.</param>
    public GroupCommitQueue(string what, int capacity, int maxBatch, Func<IReadOnlyList<T>, Task> writeBatch, ILogger logger,
        int writers = 1, Func<T, int>? weight = null)
    {
        _what = what;
        _maxBatch = maxBatch;
        _writeBatch = writeBatch;
        _weight = weight ?? (_ => 1);
        _logger = logger;
        _queue = Channel.CreateBounded<(T, TaskCompletionSource)>(new BoundedChannelOptions(capacity) { SingleReader = writers == 1 });
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>Completes once the item's batch has committed.</summary>
    public async Task WriteAsync(T item, CancellationToken ct = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((item, done), ct);
        await done.Task.WaitAsync(ct);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(T Item, TaskCompletionSource Done)>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            var rows = 0;
            while (rows < _maxBatch && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
                rows += _weight(entry.Item);
            }
            // A value PostgreSQL refuses (a zero byte in a name) fails only its own caller: the batch is split until the
            // bad item is alone (BatchIsolation); a connection failure still fails every caller of the batch.
            await BatchIsolation.WriteIsolatingAsync(batch,
                async part =>
                {
                    await _writeBatch(part.Count == batch.Count ? batch.ConvertAll(b => b.Item) : part.Select(b => b.Item).ToList());
                    foreach (var (_, done) in part) done.TrySetResult();
                },
                (part, e) =>
                {
                    _logger.LogWarning("{What}: a batch of {Count} items ({Rows} rows in all) was not written: {Error}", _what, part.Count, rows, e.Message);
                    foreach (var (_, done) in part) done.TrySetException(e);
                });
            batch.Clear();
        }
    }

    /// <summary>Writes what is queued, then stops the writer loops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }
}
