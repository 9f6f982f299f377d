namespace Sanmenxia.Persistence.BatchingGrainStorage;

/// <summary>
/// Settings of <see cref="BatchingGrainStorage"/>, the group-commit grain storage provider (section
/// Orleans:BatchedGrainStorage). It writes the same <c>orleans_grain_state</c> table as the stock ADO.NET provider.
/// </summary>
public sealed class BatchingGrainStorageOptions
{
    /// <summary>
    /// Batches of writes in flight at once, each on its own connection and transaction. While one batch commits the
    /// next one fills, so under load the batches grow on their own; no timer delays a lone write.
    /// </summary>
    public int WriteConcurrency { get; set; } = 4;

    /// <summary>Most writes (and clears) in one batch.</summary>
    public int MaxWriteBatch { get; set; } = 256;

    /// <summary>A batch stops growing once its payloads exceed this many bytes (a batch holds at least one write).</summary>
    public int MaxWriteBatchBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Whether concurrent activations' reads are batched too (one SELECT for many grains).</summary>
    public bool BatchReads { get; set; } = true;

    /// <summary>Batches of reads in flight at once.</summary>
    public int ReadConcurrency { get; set; } = 4;

    /// <summary>Most reads in one batch.</summary>
    public int MaxReadBatch { get; set; } = 256;
}
