using Sanmenxia.HealthCode;

namespace Sanmenxia.Checkpoints;

/// <summary>Why a scanned health-code QR is not accepted. Each has its own problem code ("token.replayed" …).</summary>
[GenerateSerializer, Alias("sanmenxia.AdmissionRefusal")]
public enum AdmissionRefusal { Malformed = 0, Forged = 1, Altered = 2, Expired = 3, NotYetValid = 4, Replayed = 5 }

/// <summary>The admission rule's answer: the resident the QR names, or why the QR is refused.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.Admission")]
public sealed record Admission(
    [property: Id(0)] string? ResidentKey,
    [property: Id(1)] AdmissionRefusal? Refusal,
    [property: Id(2)] string Message)
{
    public bool Accepted => Refusal is null;

    /// <summary>The stable problem code of a refusal: "token." + the refusal in lower case (token.replayed, token.notyetvalid).</summary>
    public string? Code => Refusal is { } r ? "token." + r.ToString().ToLowerInvariant() : null;

    public static Admission Accept(string residentKey, string message) => new(residentKey, null, message);
    public static Admission Refuse(AdmissionRefusal refusal, string message) => new(null, refusal, message);
}

/// <summary>
/// The one rule that admits a scanned health-code QR, wherever it is scanned (a checkpoint's pass, staff's code check):
/// a genuine, unexpired token issued today names its resident; a forged, altered, malformed, expired or not-yet-valid
/// one is refused as such; and a genuine token issued on an earlier calendar day (in the policy's time zone) is a
/// replayed screenshot, whether or not its lifetime has run out, so a token shown at 23:58 is refused at 00:01.
/// </summary>
public static class PassAdmission
{
    public static Admission Admit(CodeTokenCheck check, DateOnly today, HealthCodePolicy policy)
    {
        if (check.Payload is { } issued && check.Status is CodeTokenStatus.Valid or CodeTokenStatus.Expired
            && HealthCodeRules.Today(policy, issued.IssuedAt) is var issuedOn && issuedOn < today)
            return Admission.Refuse(AdmissionRefusal.Replayed,
                $"The QR was issued on {issuedOn:yyyy-MM-dd}, not today: a replayed screenshot. Ask for the live code.");
        return check.Status switch
        {
            CodeTokenStatus.Valid => Admission.Accept(check.Payload!.ResidentKey, check.Message),
            CodeTokenStatus.Malformed => Admission.Refuse(AdmissionRefusal.Malformed, check.Message),
            CodeTokenStatus.Forged => Admission.Refuse(AdmissionRefusal.Forged, check.Message),
            CodeTokenStatus.Altered => Admission.Refuse(AdmissionRefusal.Altered, check.Message),
            CodeTokenStatus.Expired => Admission.Refuse(AdmissionRefusal.Expired, check.Message),
            CodeTokenStatus.NotYetValid => Admission.Refuse(AdmissionRefusal.NotYetValid, check.Message),
            _ => Admission.Refuse(AdmissionRefusal.Malformed, check.Message),
        };
    }
}

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
    [property: Id(5)] string Staff);

[GenerateSerializer, Alias("sanmenxia.PassAdmissionStatus")]
public enum PassAdmissionStatus { Registered = 0, UnknownCheckpoint = 1, TokenRefused = 2, UnknownResident = 3 }

/// <summary>What registering a pass came to: registered (the checkpoint's answer), or why not, in the order checked.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.PassAdmissionResult")]
public sealed record PassAdmissionResult(
    [property: Id(0)] PassAdmissionStatus Status,
    [property: Id(1)] string? CheckpointName = null,
    [property: Id(2)] Admission? Admission = null,
    [property: Id(3)] PassResult? Pass = null);

/// <summary>
/// The checkpoint workflow in one place, for the pass endpoint and the code check alike: admit the QR (the
/// <see cref="PassAdmission"/> rule), read the resident's profile and colour now, mask the name, and register the pass with
/// the checkpoint grain. Stateless (a local worker, reentrant). Key 0.
/// </summary>
[Alias("sanmenxia.IPassAdmissionGrain")]
public interface IPassAdmissionGrain : IGrainWithIntegerKey
{
    /// <summary>Staff check a QR: admitted, and who it names now (null when no registered resident).</summary>
    [Alias("Verify")] Task<CodeVerification> VerifyAsync(CodeTokenCheck token);

    /// <summary>An entry or exit: the checkpoint must exist, the QR be admitted, the resident be registered; then the checkpoint decides.</summary>
    [Alias("RegisterPass")] Task<PassAdmissionResult> RegisterPassAsync(PassRequest request);
}
