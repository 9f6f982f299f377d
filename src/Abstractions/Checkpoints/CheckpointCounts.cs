using Sanmenxia.HealthCode;

namespace Sanmenxia.Checkpoints;

// What a checkpoint counts: one day's counters, the totals regions sum, and the versioned report it sends them.

/// <summary>One checkpoint's counters for one day; equal to what the pass store holds for that day.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointDayCounts")]
public sealed record CheckpointDayCounts
{
    [Id(0)] public DateOnly Day { get; init; }
    /// <summary>Entries and exits that were allowed or to be checked (refused ones did not pass), duplicates excluded.</summary>
    [Id(1)] public int Entries { get; init; }
    [Id(2)] public int Exits { get; init; }
    /// <summary>
    /// Distinct persons seen today with a red / yellow code, whatever the decision: one person's entry and exit count
    /// once (the caller says whether a pass is the person's first sighting in that colour today).
    /// </summary>
    [Id(3)] public int RedSeen { get; init; }
    [Id(4)] public int YellowSeen { get; init; }
    [Id(5)] public int Refused { get; init; }
    /// <summary>Repeated scans within the duplicate window: recorded, not counted as passes.</summary>
    [Id(6)] public int Duplicates { get; init; }
    /// <summary>All passes registered (duplicates excluded).</summary>
    [Id(7)] public int Passes { get; init; }

    public static CheckpointDayCounts Empty(DateOnly day) => new() { Day = day };

    /// <summary>The counters with one more pass; <paramref name="firstSighting"/>: the first of this person in this colour today.</summary>
    public CheckpointDayCounts Add(PassRecord pass, bool firstSighting = true)
    {
        if (pass.DuplicateOf is not null) return this with { Duplicates = Duplicates + 1 };
        var passed = pass.Outcome != PassOutcome.Refused;
        return this with
        {
            Entries = Entries + (passed && pass.Direction == PassDirection.In ? 1 : 0),
            Exits = Exits + (passed && pass.Direction == PassDirection.Out ? 1 : 0),
            RedSeen = RedSeen + (firstSighting && pass.ColourSeen == CodeColour.Red ? 1 : 0),
            YellowSeen = YellowSeen + (firstSighting && pass.ColourSeen == CodeColour.Yellow ? 1 : 0),
            Refused = Refused + (passed ? 0 : 1),
            Passes = Passes + 1,
        };
    }

    public CheckpointTotals ToTotals() => new()
    {
        Entries = Entries, Exits = Exits, Refused = Refused, RedSeen = RedSeen, YellowSeen = YellowSeen, PassesToday = Passes,
    };
}

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
