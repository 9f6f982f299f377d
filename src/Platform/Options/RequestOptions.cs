namespace Sanmenxia.Platform.Options;

/// <summary>
/// Retry safety and the resident's outbox, section "Requests" (docs/operations.md, "Retries, deadlines and the outbox").
/// </summary>
public sealed class RequestOptions
{
    public const string Section = "Requests";
    /// <summary>How long (real time) a grain remembers an executed Idempotency-Key: a retry within it answers the first outcome.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How many keyed requests a grain remembers at most (the oldest go first), so its state stays bounded.</summary>
    public int IdempotencyCapacity { get; set; } = 16;
    /// <summary>
    /// How long a resident's request waits for its village to take the new summary before answering anyway. The answer
    /// depends only on the resident's own write; past this the report stays pending in the stored state and is retried.
    /// </summary>
    public TimeSpan VillageReportWait { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How often a pending summary is re-sent while the resident is in memory (its outbox reminder covers a crash).</summary>
    public TimeSpan VillageReportRetry { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// Period of the outbox reminder a resident registers when its village did not acknowledge in time: it fires on
    /// whichever silo owns the resident after a crash and delivers the stored pending report with no caller.
    /// </summary>
    public TimeSpan OutboxReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Clock skew allowed between an API and a silo when judging a request's deadline.</summary>
    public TimeSpan DeadlineSkew { get; set; } = TimeSpan.FromMilliseconds(500);
}
