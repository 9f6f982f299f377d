namespace Sanmenxia.Platform.Options;

/// <summary>
/// How long each kind of personal data is kept (section "Retention", docs/data-governance.md). The daily retention job
/// (RetentionGrain, on a reminder) deletes what is due in bounded batches; the anonymous aggregates (region_daily,
/// checkpoint_daily, the tickets' figures already counted) are never deleted by it. Whole resident records are deleted
/// only by an administrator's decision, never by a period.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Checkpoint pass rows older than this many calendar days (today included) are deleted.</summary>
    public int CheckpointPassDays { get; set; } = 28;
    /// <summary>A trip's published cases and watched travellers are deleted this many days after its watch ended (Trips:WatchDays after travel).</summary>
    public int TripDaysAfterWatch { get; set; } = 0;
    /// <summary>A closed or rejected 12345 ticket (its grain state and its row) is deleted this many days after it closed.</summary>
    public int ClosedTicketDays { get; set; } = 180;
    /// <summary>A resident's self-report (temperature, symptoms, travel) and colour-history entries older than this many days are dropped at the resident's day close.</summary>
    public int SelfReportDays { get; set; } = 28;
    /// <summary>Rows deleted per statement (and grains forgotten per batch): small enough that no statement holds long locks.</summary>
    public int BatchSize { get; set; } = 5_000;
    /// <summary>Pause between two batches, so the job yields to the cluster's own work.</summary>
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(200);
    /// <summary>When after local midnight (domain time) the daily run is due.</summary>
    public TimeSpan RunAfterMidnight { get; set; } = TimeSpan.FromHours(2);
    /// <summary>Grain-state rows whose state was cleared (no payload left) are deleted once they are this old.</summary>
    public TimeSpan ClearedStateRowsAfter { get; set; } = TimeSpan.FromDays(1);
    /// <summary>
    /// Table pages (8 kB) one statement of the cleared-rows sweep reads: no index finds cleared rows (one would make every
    /// grain write a non-HOT update), so the job reads the grain-state table once, this many pages at a time (64 MB).
    /// </summary>
    public int ClearedRowsPagesPerStatement { get; set; } = 8_192;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (CheckpointPassDays < 1) errors.Add("CheckpointPassDays must be at least 1");
        if (TripDaysAfterWatch < 0) errors.Add("TripDaysAfterWatch must not be negative");
        if (ClosedTicketDays < 1) errors.Add("ClosedTicketDays must be at least 1");
        if (SelfReportDays < 1) errors.Add("SelfReportDays must be at least 1");
        if (BatchSize is < 1 or > 5_000) errors.Add("BatchSize must be between 1 and 5000");
        if (ClearedRowsPagesPerStatement is < 1 or > 131_072) errors.Add("ClearedRowsPagesPerStatement must be between 1 and 131072");
        if (BatchPause < TimeSpan.Zero) errors.Add("BatchPause must not be negative");
        if (RunAfterMidnight < TimeSpan.Zero || RunAfterMidnight >= TimeSpan.FromDays(1)) errors.Add("RunAfterMidnight must be within the day");
        return errors;
    }
}
