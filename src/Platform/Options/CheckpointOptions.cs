namespace Sanmenxia.Platform.Options;

/// <summary>Settings of platform 5, section "Checkpoints".</summary>
public sealed class CheckpointOptions
{
    public const string Section = "Checkpoints";
    /// <summary>A second scan of the same person in the same direction within this window is a duplicate, not a new pass.</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Pass rows older than this many days are deleted by the retention job (daily aggregates are kept).</summary>
    public int RetentionDays { get; set; } = 28;
    /// <summary>Rows deleted per statement by the retention job, so it never holds long locks.</summary>
    public int RetentionBatchSize { get; set; } = 10_000;
    /// <summary>How often (in domain time) the retention job runs.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromDays(1);
}
