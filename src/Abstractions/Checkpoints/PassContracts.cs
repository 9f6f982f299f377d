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
    [property: Id(12)] Guid? DuplicateOf = null,
    /// <summary>The id the checkpoint's device gave a pass it recorded offline (uploaded once, however often sent).</summary>
    [property: Id(160)] Guid? ClientId = null,
    /// <summary>Whether staff should look at this pass again (recorded offline without a colour, or the colour got worse).</summary>
    [property: Id(161)] PassReview Review = PassReview.None,
    /// <summary>The body temperature (°C) the checkpoint's staff measured with this pass, when they entered one.</summary>
    [property: Id(3100)] decimal? Temperature = null);

/// <summary>
/// Why a pass is flagged for review: an ID number typed at an offline checkpoint (the colour could not be looked up at
/// the gate), or a QR shown offline whose colour was worse on the server when the pass was uploaded.
/// </summary>
[GenerateSerializer, Alias("sanmenxia.PassReview")]
public enum PassReview { None = 0, ColourUnknown = 1, ColourChanged = 2 }

/// <summary>What staff present to the checkpoint grain (the API has verified the person and read the colour now).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PassAttempt")]
public sealed record PassAttempt(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string MaskedName,
    [property: Id(2)] PassDirection Direction,
    [property: Id(3)] CodeColour Colour,
    [property: Id(4)] PassMethod Method,
    [property: Id(5)] string Staff,
    /// <summary>The temperature (°C) staff measured at the gate, if any (validated by the API: 34.0–43.0).</summary>
    [property: Id(3100)] decimal? Temperature = null);

/// <summary>The checkpoint's answer: the pass (or, for a duplicate, the first pass), its decision, dwell time and today's counters.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PassResult")]
public sealed record PassResult(
    [property: Id(0)] PassRecord Pass,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] TimeSpan? Dwell,
    [property: Id(3)] CheckpointDayCounts Today);
