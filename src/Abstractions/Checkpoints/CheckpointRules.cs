using System.Text.RegularExpressions;
using Sanmenxia.HealthCode;
using Sanmenxia.Regions;

namespace Sanmenxia.Checkpoints;

/// <summary>The pure decision rule: colour + policy → outcome and a stable reason code.</summary>
public static class CheckpointRules
{
    public static (PassOutcome Outcome, string ReasonCode) Decide(CheckpointPolicy policy, CodeColour colour)
    {
        var (action, name) = colour switch
        {
            CodeColour.Green => (ColourAction.Allow, "green"),
            CodeColour.Yellow => (policy.Yellow, "yellow"),
            CodeColour.Red => (policy.Red, "red"),
            _ => (policy.NoCode, "none"),
        };
        var outcome = action switch { ColourAction.Allow => PassOutcome.Allowed, ColourAction.Check => PassOutcome.Check, _ => PassOutcome.Refused };
        return (outcome, $"{name}.{outcome.ToString().ToLowerInvariant()}");
    }

    /// <summary>The reason of a pass refused because staff measured a fever at the gate, whatever the colour.</summary>
    public const string FeverRefused = "fever.refused";

    /// <summary>
    /// The decision with the temperature staff measured at the gate: a reading at or above the fever threshold refuses the
    /// pass whatever the colour (the person is sent to the fever clinic); no reading, or a normal one, leaves the colour's
    /// decision as it is (a yellow code's "check" stays a check: staff also look at the travel).
    /// </summary>
    public static (PassOutcome Outcome, string ReasonCode) Decide(CheckpointPolicy policy, CodeColour colour, decimal? temperature, decimal feverThreshold) =>
        temperature is { } t && t >= feverThreshold ? (PassOutcome.Refused, FeverRefused) : Decide(policy, colour);

    /// <summary>The reason of a pass recorded offline by a typed ID number: checked by hand, colour unknown at the gate.</summary>
    public const string UnknownColourCheck = "unknown.check";

    public static string Explain(string reasonCode) => reasonCode switch
    {
        "green.allowed" => "Green code: allowed to pass.",
        "yellow.check" => "Yellow code: check temperature and recent travel before letting the person pass.",
        "yellow.refused" => "Yellow code: this checkpoint refuses yellow codes.",
        "yellow.allowed" => "Yellow code: this checkpoint lets yellow codes pass.",
        "red.refused" => "Red code: passage refused; tell the person to contact the village.",
        "red.check" => "Red code: this checkpoint checks red codes; hold the person for staff.",
        "red.allowed" => "Red code: this checkpoint lets red codes pass (unusual policy).",
        "none.check" => "No health code applied: check the person and help them apply.",
        "none.refused" => "No health code applied: this checkpoint refuses people without a code.",
        "none.allowed" => "No health code applied: allowed by this checkpoint's policy.",
        UnknownColourCheck => "Checked by ID number while offline: the colour was unknown at the gate; flagged for review.",
        FeverRefused => "Fever measured at the gate: passage refused; send the person to the fever clinic.",
        _ => reasonCode,
    };

    private static readonly Regex IdPattern = new("^cp-[0-9a-z][0-9a-z-]{0,62}$", RegexOptions.CultureInvariant);

    /// <summary>Checkpoint ids are lower-case "cp-…" names, e.g. cp-411202001-0001 (region code + sequence).</summary>
    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is not null && IdPattern.IsMatch(id);

    /// <summary>The region grain a checkpoint reports to: its own region, or the township for a village checkpoint (villages are VillageGrains).</summary>
    public static RegionCode ReportTarget(RegionCode region) => region.Level == RegionLevel.Village ? region.Parent!.Value : region;
}
