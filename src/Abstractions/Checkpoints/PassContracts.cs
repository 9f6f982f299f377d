using Sanmenxia.HealthCode;

namespace Sanmenxia.Checkpoints;

// One pass at a checkpoint: what staff present, the row that is written, and the answer.

[GenerateSerializer, Alias("sanmenxia.PassDirection")]
public enum PassDirection { In = 0, Out = 1 }

/// <summary>How the person was identified: the health-code QR, an ID card reader, or the ID number typed in.</summary>
[GenerateSerializer, Alias("sanmenxia.PassMethod")]
public enum PassMethod { Qr = 0, IdCard = 1, IdNumber = 2 }

/// <summary>The checkpoint's decision for one pass.</summary>
[GenerateSerializer, Alias("sanmenxia.PassOutcome")]
public enum PassOutcome { Allowed = 0, Check = 1, Refused = 2 }

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
