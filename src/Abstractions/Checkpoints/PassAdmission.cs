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
            && (issued.Day ?? HealthCodeRules.Today(policy, issued.IssuedAt)) is var issuedOn && issuedOn < today)
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
