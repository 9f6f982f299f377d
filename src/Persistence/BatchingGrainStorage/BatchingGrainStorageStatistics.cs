namespace Sanmenxia.Persistence.BatchingGrainStorage;

/// <summary>Batch counters of a <see cref="BatchingGrainStorage"/> (thread-safe).</summary>
public sealed class BatchingGrainStorageStatistics
{
    private long _writes, _writeBatches, _largestWriteBatch, _reads, _readBatches;

    public long Writes => Interlocked.Read(ref _writes);
    public long WriteBatches => Interlocked.Read(ref _writeBatches);
    public long LargestWriteBatch => Interlocked.Read(ref _largestWriteBatch);
    public long Reads => Interlocked.Read(ref _reads);
    public long ReadBatches => Interlocked.Read(ref _readBatches);

    internal void RecordWriteBatch(int size)
    {
        Interlocked.Add(ref _writes, size);
        Interlocked.Increment(ref _writeBatches);
        long seen;
        while (size > (seen = Interlocked.Read(ref _largestWriteBatch)) && Interlocked.CompareExchange(ref _largestWriteBatch, size, seen) != seen) { }
    }

    internal void RecordReadBatch(int size)
    {
        Interlocked.Add(ref _reads, size);
        Interlocked.Increment(ref _readBatches);
    }

    public override string ToString() =>
        $"writes {Writes} in {WriteBatches} batches (avg {(WriteBatches == 0 ? 0 : (double)Writes / WriteBatches):F1}, max {LargestWriteBatch}); reads {Reads} in {ReadBatches} batches";
}
