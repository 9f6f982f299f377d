namespace Sanmenxia.Persistence.Reminders;

/// <summary>Counters of a <see cref="BatchingReminderTable"/> since start (thread-safe).</summary>
public sealed class BatchingReminderTableStatistics
{
    private long _upserts, _rows, _statements, _largest, _retries;

    /// <summary>Upserts completed (callers answered with an ETag).</summary>
    public long Upserts => Interlocked.Read(ref _upserts);
    /// <summary>Rows sent (several upserts of one reminder in a batch are one row).</summary>
    public long Rows => Interlocked.Read(ref _rows);
    /// <summary>Upsert statements that committed (one implicit transaction, one WAL flush each).</summary>
    public long Statements => Interlocked.Read(ref _statements);
    public long LargestBatch => Interlocked.Read(ref _largest);
    /// <summary>Statements run again on a fresh connection after a dropped one.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    internal void RecordBatch(int upserts, int rows)
    {
        Interlocked.Add(ref _upserts, upserts);
        Interlocked.Add(ref _rows, rows);
        Interlocked.Increment(ref _statements);
        long seen;
        while (upserts > (seen = Interlocked.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, upserts, seen) != seen) { }
    }

    internal void RecordRetry() => Interlocked.Increment(ref _retries);

    public override string ToString() =>
        $"upserts {Upserts} as {Rows} rows in {Statements} statements (avg {(Statements == 0 ? 0 : (double)Upserts / Statements):F1}, max {LargestBatch}); retries {Retries}";
}
