using Sanmenxia.HealthCode;

namespace Sanmenxia.Checkpoints;

// What the pass-admission grain takes and answers: the request, the person and code it verified, the result.

/// <summary>The person as a checkpoint sees them: masked name, village (for the audit), the colour now and why.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PersonAtCheckpoint")]
public sealed record PersonAtCheckpoint(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string MaskedName,
    [property: Id(2)] string VillageCode,
    [property: Id(3)] CodeColour Colour,
    [property: Id(4)] string ReasonCode);

/// <summary>A code check's answer: the admission, and the person when the QR was admitted and names a registered resident.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CodeVerification")]
public sealed record CodeVerification(
    [property: Id(0)] Admission Admission,
    [property: Id(1)] PersonAtCheckpoint? Person);

/// <summary>
/// A pass as staff present it: the scanned QR (its signatures checked by the API, which holds the key) or the resident
/// key of a typed or card-read ID number; exactly one of the two.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PassRequest")]
public sealed record PassRequest(
    [property: Id(0)] string CheckpointId,
    [property: Id(1)] CodeTokenCheck? Token,
    [property: Id(2)] string? ResidentKey,
    [property: Id(3)] PassDirection Direction,
    [property: Id(4)] PassMethod Method,
    [property: Id(5)] string Staff,
    /// <summary>The temperature (°C) staff measured at the gate, if any.</summary>
    [property: Id(3100)] decimal? Temperature = null);

[GenerateSerializer, Alias("sanmenxia.PassAdmissionStatus")]
public enum PassAdmissionStatus { Registered = 0, UnknownCheckpoint = 1, TokenRefused = 2, UnknownResident = 3 }

/// <summary>What registering a pass came to: registered (the checkpoint's answer), or why not, in the order checked.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PassAdmissionResult")]
public sealed record PassAdmissionResult(
    [property: Id(0)] PassAdmissionStatus Status,
    [property: Id(1)] string? CheckpointName = null,
    [property: Id(2)] Admission? Admission = null,
    [property: Id(3)] PassResult? Pass = null);
