using System.Text.RegularExpressions;
using Orleans.Concurrency;
using Sanmenxia.HealthCode;
using Sanmenxia.Regions;

namespace Sanmenxia.Checkpoints;

[GenerateSerializer, Alias("sanmenxia.PassDirection")]
public enum PassDirection { In = 0, Out = 1 }

/// <summary>How the person was identified: the health-code QR, an ID card reader, or the ID number typed in.</summary>
[GenerateSerializer, Alias("sanmenxia.PassMethod")]
public enum PassMethod { Qr = 0, IdCard = 1, IdNumber = 2 }

/// <summary>The checkpoint's decision for one pass.</summary>
[GenerateSerializer, Alias("sanmenxia.PassOutcome")]
public enum PassOutcome { Allowed = 0, Check = 1, Refused = 2 }

/// <summary>What a checkpoint does with a colour (configurable per checkpoint).</summary>
[GenerateSerializer, Alias("sanmenxia.ColourAction")]
public enum ColourAction { Allow = 0, Check = 1, Refuse = 2 }

/// <summary>
/// A checkpoint's policy: what happens to a red, yellow or not-applied code. Green is always allowed.
/// Defaults (docs/domain.md, choice): red refused, yellow "to be checked", no code "to be checked".
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointPolicy")]
public sealed record CheckpointPolicy
{
    public static CheckpointPolicy Default { get; } = new();
    [Id(0)] public ColourAction Red { get; init; } = ColourAction.Refuse;
    [Id(1)] public ColourAction Yellow { get; init; } = ColourAction.Check;
    [Id(2)] public ColourAction NoCode { get; init; } = ColourAction.Check;

    /// <summary>"red=refuse;yellow=check;none=check" (any subset, any order); empty = the default policy.</summary>
    public static bool TryParse(string? text, out CheckpointPolicy policy, out string? error)
    {
        policy = Default;
        error = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        foreach (var part in text.Split([';', ' ', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split(['=', ':'], 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !Enum.TryParse<ColourAction>(kv[1], ignoreCase: true, out var action) || !Enum.IsDefined(action))
            {
                error = $"'{part}' is not colour=action (actions: allow, check, refuse)";
                return false;
            }
            switch (kv[0].ToLowerInvariant())
            {
                case "red": policy = policy with { Red = action }; break;
                case "yellow": policy = policy with { Yellow = action }; break;
                case "none": policy = policy with { NoCode = action }; break;
                default: error = $"'{kv[0]}' is not a colour (red, yellow, none)"; return false;
            }
        }
        return true;
    }

    public override string ToString() => $"red={Red};yellow={Yellow};none={NoCode}".ToLowerInvariant();
}

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
        _ => reasonCode,
    };

    private static readonly Regex IdPattern = new("^cp-[0-9a-z][0-9a-z-]{0,62}$", RegexOptions.CultureInvariant);

    /// <summary>Checkpoint ids are lower-case "cp-…" names, e.g. cp-411202001-0001 (region code + sequence).</summary>
    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is not null && IdPattern.IsMatch(id);

    /// <summary>The region grain a checkpoint reports to: its own region, or the township for a village checkpoint (villages are VillageGrains).</summary>
    public static RegionCode ReportTarget(RegionCode region) => region.Level == RegionLevel.Village ? region.Parent!.Value : region;
}

/// <summary>A checkpoint's definition.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointInfo")]
public sealed record CheckpointInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] RegionCode RegionCode,
    [property: Id(3)] RegionLevel Level,
    [property: Id(4)] CheckpointPolicy Policy,
    [property: Id(5)] IReadOnlyList<string> Staff);

/// <summary>One checkpoint's counters for one day; equal to what the pass store holds for that day.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointDayCounts")]
public sealed record CheckpointDayCounts
{
    [Id(0)] public DateOnly Day { get; init; }
    /// <summary>Entries and exits that were allowed or to be checked (refused ones did not pass), duplicates excluded.</summary>
    [Id(1)] public int Entries { get; init; }
    [Id(2)] public int Exits { get; init; }
    /// <summary>Persons seen with a red / yellow code, whatever the decision (duplicates excluded).</summary>
    [Id(3)] public int RedSeen { get; init; }
    [Id(4)] public int YellowSeen { get; init; }
    [Id(5)] public int Refused { get; init; }
    /// <summary>Repeated scans within the duplicate window: recorded, not counted as passes.</summary>
    [Id(6)] public int Duplicates { get; init; }
    /// <summary>All passes registered (duplicates excluded).</summary>
    [Id(7)] public int Passes { get; init; }

    public static CheckpointDayCounts Empty(DateOnly day) => new() { Day = day };

    /// <summary>The counters with one more pass.</summary>
    public CheckpointDayCounts Add(PassRecord pass)
    {
        if (pass.DuplicateOf is not null) return this with { Duplicates = Duplicates + 1 };
        var passed = pass.Outcome != PassOutcome.Refused;
        return this with
        {
            Entries = Entries + (passed && pass.Direction == PassDirection.In ? 1 : 0),
            Exits = Exits + (passed && pass.Direction == PassDirection.Out ? 1 : 0),
            RedSeen = RedSeen + (pass.ColourSeen == CodeColour.Red ? 1 : 0),
            YellowSeen = YellowSeen + (pass.ColourSeen == CodeColour.Yellow ? 1 : 0),
            Refused = Refused + (passed ? 0 : 1),
            Passes = Passes + 1,
        };
    }

    public CheckpointTotals ToTotals() => new()
    {
        Entries = Entries, Exits = Exits, Refused = Refused, RedSeen = RedSeen, YellowSeen = YellowSeen, PassesToday = Passes,
    };
}

/// <summary>One registered pass: an append-only row. The person is named by the pseudonymous resident key only.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PassRecord")]
public sealed record PassRecord(
    [property: Id(0)] Guid PassId,
    [property: Id(1)] string CheckpointId,
    [property: Id(2)] string RegionCode,
    [property: Id(3)] string ResidentKey,
    [property: Id(4)] string MaskedName,
    [property: Id(5)] PassDirection Direction,
    [property: Id(6)] DateTimeOffset At,
    [property: Id(7)] CodeColour ColourSeen,
    [property: Id(8)] PassOutcome Outcome,
    [property: Id(9)] string ReasonCode,
    [property: Id(10)] string Staff,
    [property: Id(11)] PassMethod Method,
    /// <summary>Set on a repeated scan within the duplicate window: the first pass it repeats.</summary>
    [property: Id(12)] Guid? DuplicateOf = null);

/// <summary>What staff present to the checkpoint grain (the API has verified the person and read the colour now).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PassAttempt")]
public sealed record PassAttempt(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string MaskedName,
    [property: Id(2)] PassDirection Direction,
    [property: Id(3)] CodeColour Colour,
    [property: Id(4)] PassMethod Method,
    [property: Id(5)] string Staff);

/// <summary>The checkpoint's answer: the pass (or, for a duplicate, the first pass), its decision, dwell time and today's counters.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PassResult")]
public sealed record PassResult(
    [property: Id(0)] PassRecord Pass,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] TimeSpan? Dwell,
    [property: Id(3)] CheckpointDayCounts Today);

/// <summary>Checkpoint totals as regions sum them (today's counts).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointTotals")]
public sealed record CheckpointTotals
{
    public static CheckpointTotals Zero { get; } = new();
    [Id(0)] public int Entries { get; init; }
    [Id(1)] public int Exits { get; init; }
    [Id(2)] public int Refused { get; init; }
    [Id(3)] public int RedSeen { get; init; }
    [Id(4)] public int YellowSeen { get; init; }
    [Id(5)] public int PassesToday { get; init; }

    public static CheckpointTotals operator +(CheckpointTotals a, CheckpointTotals b) => new()
    {
        Entries = a.Entries + b.Entries, Exits = a.Exits + b.Exits, Refused = a.Refused + b.Refused,
        RedSeen = a.RedSeen + b.RedSeen, YellowSeen = a.YellowSeen + b.YellowSeen, PassesToday = a.PassesToday + b.PassesToday,
    };
}

/// <summary>What a checkpoint reports to its region (<c>IRegionGrain.ReportCheckpointAsync</c>): today's totals, versioned.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointReport")]
public sealed record CheckpointReport(
    [property: Id(0)] string CheckpointId,
    [property: Id(1)] CheckpointTotals Totals,
    [property: Id(2)] long Version);

/// <summary>Defining a checkpoint: Created, Unchanged (same definition again), or Conflict (the id is taken by another definition).</summary>
[GenerateSerializer, Alias("sanmenxia.CheckpointDefineOutcome")]
public enum CheckpointDefineOutcome { Created = 0, Unchanged = 1, Updated = 2 }

/// <summary>A checkpoint (检测点). Key: checkpoint id, e.g. "cp-411202001-0001".</summary>
[Alias("sanmenxia.ICheckpointGrain")]
public interface ICheckpointGrain : IGrainWithStringKey
{
    /// <summary>Creates or updates the definition (name, region, policy, staff) and lists it in the directory.</summary>
    [Alias("Define")] Task<CheckpointDefineOutcome> DefineAsync(CheckpointInfo info);
    [Alias("Info"), AlwaysInterleave] Task<CheckpointInfo?> GetInfoAsync();
    [Alias("AddStaff")] Task<CheckpointInfo?> AddStaffAsync(string username);
    /// <summary>Registers a pass: decides per policy, detects duplicates, writes the row (acknowledged after commit), counts it.</summary>
    [Alias("Register")] Task<PassResult> RegisterPassAsync(PassAttempt attempt);
    [Alias("Today"), AlwaysInterleave] Task<CheckpointDayCounts> GetTodayAsync();
    /// <summary>Read-only and interleaving, so a region pulling counts never waits on a checkpoint that is pushing to it.</summary>
    [Alias("Totals"), AlwaysInterleave] Task<CheckpointTotals> GetTotalsAsync();
}

/// <summary>A checkpoint's line in the directory.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointEntry")]
public sealed record CheckpointEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string RegionCode,
    [property: Id(3)] string ReportsTo);

/// <summary>Every checkpoint (about 4,136 for the city: small enough for one grain), so a region finds its checkpoints after reactivation. Key 0.</summary>
[Alias("sanmenxia.ICheckpointDirectoryGrain")]
public interface ICheckpointDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task AddAsync(IReadOnlyList<CheckpointEntry> entries);
    /// <summary>The checkpoints that report to a region grain (its own, and its villages' for a township).</summary>
    [Alias("ReportingTo")] Task<IReadOnlyList<CheckpointEntry>> GetReportingToAsync(string regionCode);
    [Alias("List")] Task<IReadOnlyList<CheckpointEntry>> ListAsync(string? regionPrefix, int skip, int take);
    [Alias("Count")] Task<int> CountAsync();
}
