namespace Sanmenxia.Platform.Options;

/// <summary>Settings of the co-traveler service, section "Trips".</summary>
public sealed class TripOptions
{
    public const string Section = "Trips";
    /// <summary>How long after travel a saved trip stays watched for publications.</summary>
    public int WatchDays { get; set; } = 14;
    /// <summary>Anonymous trip queries allowed per client address per minute.</summary>
    public int QueryPermitsPerMinute { get; set; } = 30;
}
