namespace Sanmenxia.Persistence.Reminders;

/// <summary>
/// Settings of <see cref="BatchingReminderTable"/>, the group-commit reminder table (section Orleans:BatchedReminders).
/// It writes the same <c>orleans_reminder</c> table as the stock ADO.NET reminder provider (migration 0003).
/// </summary>
public sealed class BatchingReminderTableOptions
{
    /// <summary>
    /// Batches of upserts in flight at once, each on its own connection and implicit transaction. While one commits the
    /// next fills, so batches grow with the load; a lone upsert goes out at once (no timer).
    /// </summary>
    public int WriteConcurrency { get; set; } = 2;

    /// <summary>Most upserts in one statement.</summary>
    public int MaxWriteBatch { get; set; } = 256;
}
