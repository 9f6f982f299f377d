using Sanmenxia.HealthCode;

namespace Sanmenxia.Checkpoints;

// Passes a checkpoint's device recorded while offline and uploads in batches (issue 18): what staff's device sends, what
// the checkpoint grain records, and the answer per pass.

/// <summary>
/// One pass recorded offline, as the API hands it on: the device's id for it, the QR (signatures checked by the API at the
/// time of the scan) or the resident key of a typed ID number, and when it was scanned.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.OfflinePassRequest")]
public sealed record OfflinePassRequest(
    [property: Id(0)] Guid ClientId,
    [property: Id(1)] CodeTokenCheck? Token,
    [property: Id(2)] string? ResidentKey,
    [property: Id(3)] PassDirection Direction,
    [property: Id(4)] PassMethod Method,
    [property: Id(5)] DateTimeOffset ScannedAt,
    /// <summary>The temperature (°C) measured at the gate, if any.</summary>
    [property: Id(3100)] decimal? Temperature = null);

/// <summary>An offline pass as the checkpoint grain records it: the person verified, the colour at the gate (or the
/// colour now, for a typed ID number), why it is flagged.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.OfflinePassAttempt")]
public sealed record OfflinePassAttempt(
    [property: Id(0)] Guid ClientId,
    [property: Id(1)] string ResidentKey,
    [property: Id(2)] string MaskedName,
    [property: Id(3)] PassDirection Direction,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] CodeColour Colour,
    [property: Id(6)] PassMethod Method,
    [property: Id(7)] string Staff,
    [property: Id(8)] PassReview Review,
    /// <summary>The temperature (°C) measured at the gate, if any: a fever refuses the pass whatever the colour.</summary>
    [property: Id(3100)] decimal? Temperature = null);

[GenerateSerializer, Alias("sanmenxia.OfflinePassStatus")]
public enum OfflinePassStatus { Recorded = 0, AlreadyRecorded = 1, TokenRefused = 2 }

/// <summary>What became of one uploaded pass. A refused token is final too: the device drops it from its queue.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.OfflinePassResult")]
public sealed record OfflinePassResult(
    [property: Id(0)] Guid ClientId,
    [property: Id(1)] OfflinePassStatus Status,
    [property: Id(2)] string? Code = null,
    [property: Id(3)] string? Message = null,
    [property: Id(4)] PassReview Review = PassReview.None);

/// <summary>The answer to a batch: each pass's result, and the checkpoint's day after the recount.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.OfflineBatchResult")]
public sealed record OfflineBatchResult(
    [property: Id(0)] bool CheckpointExists,
    [property: Id(1)] IReadOnlyList<OfflinePassResult> Passes,
    [property: Id(2)] CheckpointDayCounts? Today);
