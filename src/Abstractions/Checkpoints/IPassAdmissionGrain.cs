using Sanmenxia.HealthCode;

namespace Sanmenxia.Checkpoints;

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

    /// <summary>
    /// Passes a checkpoint's device recorded offline: each QR admitted as of its scan (same rule, that day), the person read,
    /// and the batch recorded by the checkpoint grain, each pass once by its client id.
    /// </summary>
    [Alias("RegisterOffline")] Task<OfflineBatchResult> RegisterOfflineAsync(string checkpointId, string staff, IReadOnlyList<OfflinePassRequest> passes);
}
