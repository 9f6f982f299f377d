using Sanmenxia.HealthCode;

namespace Sanmenxia.Platform.Options;

/// <summary>The health-code policy from configuration (section "HealthCode"); docs/domain.md's choices are the defaults.</summary>
public sealed class HealthCodePolicyOptions
{
    public const string Section = "HealthCode";
    public decimal FeverThresholdCelsius { get; set; } = HealthCodePolicy.Default.FeverThresholdCelsius;
    public int YellowMissedDaysToRed { get; set; } = HealthCodePolicy.Default.YellowMissedDaysToRed;
    public int RedConsecutiveClockInsToGreen { get; set; } = HealthCodePolicy.Default.RedConsecutiveClockInsToGreen;
    public CodeColour IsolationColour { get; set; } = HealthCodePolicy.Default.IsolationColour;
    public CodeColour CloseContactColour { get; set; } = HealthCodePolicy.Default.CloseContactColour;
    public CodeColour FeverColour { get; set; } = HealthCodePolicy.Default.FeverColour;
    public CodeColour ObservationColour { get; set; } = HealthCodePolicy.Default.ObservationColour;
    public string TimeZoneId { get; set; } = HealthCodePolicy.Default.TimeZoneId;
    public int ObservationDays { get; set; } = HealthCodePolicy.Default.ObservationDays;
    public CodeColour PendingExposureColour { get; set; } = HealthCodePolicy.Default.PendingExposureColour;

    public HealthCodePolicy ToPolicy()
    {
        var policy = new HealthCodePolicy
        {
            FeverThresholdCelsius = FeverThresholdCelsius, YellowMissedDaysToRed = YellowMissedDaysToRed,
            RedConsecutiveClockInsToGreen = RedConsecutiveClockInsToGreen, IsolationColour = IsolationColour,
            CloseContactColour = CloseContactColour, FeverColour = FeverColour, ObservationColour = ObservationColour,
            TimeZoneId = TimeZoneId, ObservationDays = ObservationDays, PendingExposureColour = PendingExposureColour,
        };
        var problems = policy.Validate();
        if (problems.Count > 0) throw new InvalidOperationException("HealthCode configuration is invalid: " + string.Join("; ", problems));
        return policy;
    }
}
