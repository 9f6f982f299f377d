namespace Sanmenxia.Platform.Options;

/// <summary>Settings of platform 5, section "Checkpoints".</summary>
public sealed class CheckpointOptions
{
    public const string Section = "Checkpoints";
    /// <summary>A second scan of the same person in the same direction within this window is a duplicate, not a new pass.</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(2);
    // Pass retention moved to the one retention policy (RetentionOptions.CheckpointPassDays, section "Retention").
}
